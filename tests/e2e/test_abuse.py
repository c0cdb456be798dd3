"""Resource exhaustion against a dedicated daphne: a bystander stays served, memory comes back."""

from __future__ import annotations

import itertools
import json
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mcp_django.testing.live import LiveServer
from tests.e2e.helpers import ACCEPT_BOTH, messages_of, meta, modern_headers

CONFORMANCE, TIGHT, ONE_COMMAND = "/conformance/mcp", "/tight/mcp", "/one-command/mcp"
JSON = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
ATTACK_SECONDS = 4.0
WARMUP_SECONDS = 1.0
RSS_SLACK_MB = 20.0
SETTLE_SECONDS = 30.0
MAX_BODY = 4 * 1024 * 1024
MAX_CLIENT_INFO = 16 * 1024
MAX_SUBSCRIPTIONS, MAX_URI = 100, 2048
TASKS = "io.modelcontextprotocol/tasks"
_ids = itertools.count(1)


# -- small HTTP helpers -----------------------------------------------------------------------
def rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params or {}}


def initialize(http: httpx.Client, url: str, version: str = "2025-11-25",
               client_info: dict[str, Any] | None = None,
               capabilities: dict[str, Any] | None = None) -> dict[str, str]:
    """A new anonymous session: the headers of its requests."""
    answer = http.post(url, headers=JSON, json=rpc("initialize", {
        "protocolVersion": version, "capabilities": capabilities or {},
        "clientInfo": client_info or {"name": "abuse", "version": "1"}}))
    assert answer.status_code == 200, answer.text
    headers = {**JSON, "Mcp-Session-Id": answer.headers["mcp-session-id"],
               "MCP-Protocol-Version": version}
    done = http.post(url, headers=headers, json={"jsonrpc": "2.0",
                                                 "method": "notifications/initialized"})
    assert done.status_code == 202, done.text
    return headers


def echo_body(text: str, **meta_extra: Any) -> dict[str, Any]:
    return rpc("tools/call", {"name": "echo", "arguments": {"text": text},
                              "_meta": meta(**meta_extra)})


def raw_request(url: str, method: str, headers: dict[str, str], body: bytes = b""
                ) -> socket.socket:
    """Send one request on a raw socket with a tiny receive buffer, and never read it."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    head = [f"{method} {parts.path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return sock


def rss_mb(pid: int) -> float:
    """The process's resident set size (VmRSS), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


# -- the bystander and the sampler ------------------------------------------------------------
class Bystander(threading.Thread):
    """Loops a modern `tools/call` echo and records every outcome and its latency."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=60) as http:
            for n in itertools.count():
                if self.stop.is_set():
                    return
                self.latencies.append(self.one(http, f"bystander-{n}"))

    def one(self, http: httpx.Client, text: str) -> float:
        started = time.monotonic()
        try:
            answer = http.post(self.url, headers=modern_headers("tools/call", "echo"),
                               json=echo_body(text))
            result = answer.json().get("result", {}) if answer.status_code == 200 else {}
            if (result.get("content") or [{}])[0].get("text") != text:
                self.failures.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
        except (httpx.HTTPError, ValueError) as exc:
            self.failures.append(repr(exc))
        return time.monotonic() - started

    def finish(self) -> None:
        self.stop.set()
        self.join(90)
        assert not self.is_alive(), "the bystander's last request never returned"

    @property
    def success_rate(self) -> float:
        return 1 - len(self.failures) / max(1, len(self.latencies))

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


class RssSampler(threading.Thread):
    """Keeps the highest RSS of one process while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid)
        self.stop = threading.Event()
        self.start()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, rss_mb(self.pid))

    def finish(self) -> float:
        self.stop.set()
        self.join(5)
        return self.peak


# -- attacks: each thread loops `attack(base_url, stop, state)` until `stop` is set ----------
@dataclass
class AttackState:
    """What one attack's threads share: counters, and what to clean up afterwards."""

    counts: dict[str, int] = field(default_factory=dict)
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n


Attack = Callable[[str, threading.Event, AttackState], None]


def sessions_flood(base: str, stop: threading.Event, state: AttackState) -> None:
    """Anonymous initializes, never ended (they live for SESSION_TTL)."""
    with httpx.Client(timeout=60) as http:
        while not stop.is_set():
            answer = http.post(base + CONFORMANCE, headers=JSON, json=rpc("initialize", {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "flood", "version": "1"}}))
            state.count(f"initialize {answer.status_code}")


def max_batches(base: str, stop: threading.Event, state: AttackState) -> None:
    """Batches of MAX_BATCH (50) tools/list in one 2025-03-26 session."""
    with httpx.Client(timeout=60) as http:
        headers = initialize(http, base + CONFORMANCE, "2025-03-26")
        batch = [rpc("tools/list") for _ in range(50)]
        while not stop.is_set():
            answer = http.post(base + CONFORMANCE, headers=headers, content=json.dumps(batch))
            state.count(f"batch {answer.status_code}")
            if answer.status_code == 200:
                state.count("answers", len(answer.json()))


def unread_streams(base: str, stop: threading.Event, state: AttackState) -> None:
    """GET streams and log floods (test_flood on `tight`, STREAM_BUFFER_BYTES=64K) on
    connections that are never read."""
    sockets: list[socket.socket] = []
    with httpx.Client(timeout=60) as http:
        try:
            for n in itertools.count():
                if stop.is_set():
                    return
                if n % 2 == 0:
                    headers = initialize(http, base + CONFORMANCE)
                    sockets.append(raw_request(base + CONFORMANCE, "GET", {
                        **headers, "Accept": "text/event-stream"}))
                    state.count("get streams")
                else:
                    headers = initialize(http, base + TIGHT, "2025-06-18")
                    http.post(base + TIGHT, headers=headers,
                              json=rpc("logging/setLevel", {"level": "info"}))
                    body = rpc("tools/call", {"name": "test_flood", "arguments": {
                        "count": 3000, "size": 1000}})
                    sockets.append(raw_request(base + TIGHT, "POST", headers,
                                               json.dumps(body).encode()))
                    state.count("log floods")
                if len(sockets) > 40:
                    sockets.pop(0).close()
        finally:
            for sock in sockets:
                sock.close()


def parked_tasks(base: str, stop: threading.Event, state: AttackState) -> None:
    """Task-augmented calls whose tool waits for an answer that never comes: 2025-11-25
    sessions (anonymous tasks are per session) and 2026-07-28 calls (one shared owner)."""
    with httpx.Client(timeout=60) as http:
        for n in itertools.count():
            if stop.is_set() or n >= 6:
                return
            headers = initialize(http, base + CONFORMANCE, capabilities={"elicitation": {}})
            for _ in range(21):  # one more than TASKS_PER_PRINCIPAL
                answer = http.post(base + CONFORMANCE, headers=headers, json=rpc(
                    "tools/call", {"name": "test_wait_for_approval", "arguments": {},
                                   "task": {}})).json()
                state.count("legacy task" if "result" in answer
                            else f"legacy refused {answer['error']['code']}")
            state.cleanup.append(lambda h=headers: http_delete(base + CONFORMANCE, h))
            capabilities = {"extensions": {TASKS: {}}, "elicitation": {}}
            answer = http.post(base + CONFORMANCE, headers=modern_headers(
                "tools/call", "test_wait_for_approval"), json=rpc("tools/call", {
                    "name": "test_wait_for_approval", "arguments": {"work": 0.5},
                    "_meta": meta(capabilities)})).json()
            kind = answer.get("result", {}).get("resultType") or \
                f"refused {answer.get('error', {}).get('code')}"
            state.count(f"modern {kind}")


def http_delete(url: str, headers: dict[str, str]) -> None:
    with httpx.Client(timeout=30) as http:
        http.delete(url, headers=headers)


def command_flood(base: str, stop: threading.Event, state: AttackState) -> None:
    """Command-tool calls from many threads on `one_command`: COMMAND_CONCURRENCY (1) runs,
    COMMAND_QUEUE (1) waits, the rest are refused in band."""
    with httpx.Client(timeout=90) as http:
        while not stop.is_set():
            response = http.post(base + ONE_COMMAND, headers=modern_headers(
                "tools/call", "patient_library_report"), json=rpc("tools/call", {
                    "name": "patient_library_report", "arguments": {"delay": 0.2},
                    "_meta": meta()}))
            result = messages_of(response)[-1].get("result", {})  # JSON, or SSE with logs
            text = (result.get("content") or [{}])[0].get("text", "")
            state.count("refused" if "COMMAND_QUEUE" in text else
                        "failed" if result.get("isError") else "ran")


def big_session_state(base: str, stop: threading.Event, state: AttackState) -> None:
    """Sessions holding the most they may: clientInfo + capabilities at MAX_CLIENT_INFO_BYTES
    and MAX_SUBSCRIPTIONS subscriptions of MAX_URI_LENGTH; one more of each is refused."""
    with httpx.Client(timeout=60) as http:
        for n in itertools.count():
            if stop.is_set() or n >= 3:
                return
            info = {"name": "x" * (MAX_CLIENT_INFO - 60), "version": "1"}
            headers = initialize(http, base + CONFORMANCE, client_info=info)
            state.count("full sessions")
            for k in range(MAX_SUBSCRIPTIONS + 1):
                uri = f"test://{n}-{k}-{threading.get_ident()}/"
                answer = http.post(base + CONFORMANCE, headers=headers, json=rpc(
                    "resources/subscribe", {"uri": uri.ljust(MAX_URI, "u")})).json()
                state.count("subscribed" if "result" in answer
                            else f"refused {answer['error']['code']}")
            over = http.post(base + CONFORMANCE, headers=JSON, json=rpc("initialize", {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "x" * MAX_CLIENT_INFO, "version": "1"}})).json()
            state.count(f"oversize clientInfo {over.get('error', {}).get('code')}")


def big_uploads(base: str, stop: threading.Event, state: AttackState) -> None:
    """Bodies just under MAX_BODY_BYTES (answered) and just over it (413)."""
    near = json.dumps(echo_body("big", pad="x" * (MAX_BODY - 1024))).encode()
    over = b"x" * (MAX_BODY + 1)
    with httpx.Client(timeout=60) as http:
        for n in itertools.count():
            if stop.is_set():
                return
            answer = http.post(base + CONFORMANCE, content=near if n % 2 else over,
                               headers=modern_headers("tools/call", "echo"))
            state.count(f"upload {answer.status_code}")


@dataclass(frozen=True)
class Case:
    name: str
    attack: Attack
    threads: int
    expect: Callable[[dict[str, int]], bool]  # the attack met the server's limits


CASES = [
    Case("sessions-flood", sessions_flood, 4, lambda c: c.get("initialize 200", 0) > 50),
    Case("max-batches", max_batches, 3, lambda c: c.get("answers", 0) >= 150
         and set(c) <= {"batch 200", "answers"}),
    Case("unread-streams", unread_streams, 3, lambda c: c.get("log floods", 0) >= 3),
    Case("parked-tasks", parked_tasks, 2, lambda c: c.get("legacy task", 0) >= 20
         and c.get("legacy refused -32000", 0) >= 1),
    Case("command-flood", command_flood, 8, lambda c: c.get("ran", 0) >= 1
         and c.get("refused", 0) >= 1),
    Case("big-session-state", big_session_state, 3, lambda c: c.get("subscribed", 0) >= 100
         and c.get("refused -32602", 0) >= 1 and c.get("oversize clientInfo -32602", 0) >= 1),
    # one upload at a time: each max-size body costs the worker ~30 MB while it is handled,
    # which the allocator keeps for the next one (docs/security.md)
    Case("big-uploads", big_uploads, 1, lambda c: c.get("upload 413", 0) >= 1
         and c.get("upload 200", 0) >= 1),
]


def run_attack(base: str, case: Case, seconds: float) -> AttackState:
    """The case's threads for `seconds` (an attack that ends on its own may end sooner)."""
    state, stop = AttackState(), threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            case.attack(base, stop, state)
        except BaseException as exc:  # noqa: B036 - reported below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(case.threads)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(90)
    assert not any(t.is_alive() for t in threads), f"{case.name}: an attacker never returned"
    assert not errors, f"{case.name}: the attack itself failed: {errors[0]!r}"
    return state


@dataclass
class Outcome:
    case: str
    served: int
    failures: list[str]
    before: float
    peak: float
    after: float
    counts: dict[str, int]
    p50: float = 0.0
    p99: float = 0.0

    def line(self) -> str:
        rate = 100 * (1 - len(self.failures) / max(1, self.served))
        return (f"{self.case:<18} bystander {self.served:>4} calls, {rate:5.1f} % ok; "
                f"RSS {self.before:6.1f} → peak {self.peak:6.1f} → {self.after:6.1f} MB; "
                f"{self.counts}")


def steady(pid: int, seconds: float = 5.0) -> float:
    """The RSS once two readings half a second apart differ by less than 1 MB."""
    deadline, last = time.monotonic() + seconds, rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = rss_mb(pid)
        if abs(current - last) < 1:
            return current
        last = current
    return last


def settle(pid: int, limit: float, seconds: float = SETTLE_SECONDS) -> float:
    """Poll the RSS until it is under `limit` or `seconds` pass; the last reading."""
    deadline = time.monotonic() + seconds
    while (current := rss_mb(pid)) > limit and time.monotonic() < deadline:
        time.sleep(0.25)
    return current


def measure(server: LiveServer, case: Case, seconds: float = ATTACK_SECONDS,
            warmup: float = WARMUP_SECONDS) -> Outcome:
    """A short warm-up of the attack (imports, thread pools, first allocations), then RSS
    before, the attack with a bystander and an RSS sampler, and the RSS once it is over."""
    assert server.process is not None
    pid = server.process.pid
    for cleanup in run_attack(server.url, case, warmup).cleanup:
        cleanup()
    before = steady(pid)
    bystander = Bystander(server.url + CONFORMANCE)
    sampler = RssSampler(pid)
    bystander.start()
    state = run_attack(server.url, case, seconds)
    bystander.finish()
    peak = sampler.finish()
    after = settle(pid, before + RSS_SLACK_MB)
    for cleanup in state.cleanup:
        cleanup()
    return Outcome(case.name, len(bystander.latencies), bystander.failures, before, peak,
                   after, dict(sorted(state.counts.items())), bystander.percentile(0.5),
                   bystander.percentile(0.99))


# -- the tests --------------------------------------------------------------------------------
OUTCOMES: list[Outcome] = []


@pytest.fixture(scope="module")
def target(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """A daphne of its own, so its memory is the attacks' alone."""
    from django.conf import settings

    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
           "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"])}
    with LiveServer("tests.project.asgi:application", env=env) as server:
        yield server
        if OUTCOMES:
            print("\n" + "\n".join(outcome.line() for outcome in OUTCOMES))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_an_attack_leaves_the_bystander_served_and_memory_bounded(target: LiveServer,
                                                                   case: Case) -> None:
    outcome = measure(target, case)
    OUTCOMES.append(outcome)
    assert outcome.served >= 3, outcome.line()
    assert not outcome.failures, (outcome.line(), outcome.failures[:3])
    assert case.expect(outcome.counts), outcome.line()
    assert outcome.after <= outcome.before + RSS_SLACK_MB, outcome.line()
    assert target.process is not None and target.process.poll() is None, target.log()[-2000:]


def test_the_bystander_alone_is_served(target: LiveServer) -> None:
    """The measuring itself: a quiet bystander is served, with plausible latencies."""
    bystander = Bystander(target.url + CONFORMANCE)
    bystander.start()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
    bystander.finish()
    assert len(bystander.latencies) >= 3 and bystander.success_rate == 1.0, bystander.failures
    assert statistics.median(bystander.latencies) > 0
