"""Extra latency of each cross-worker path: the same operation with both ends on one worker,
then with the ends on two workers sharing Redis (medians of N tries).

    .venv/bin/python benchmarks/cross_worker.py [--tries 30]

Starts two daphne workers of the test project on Redis (127.0.0.1:6379, a throw-away key
prefix) and a file SQLite database; loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcp_django.testing import LiveServer  # noqa: E402

ACCEPT = "application/json, text/event-stream"
JSON = {"Content-Type": "application/json", "Accept": ACCEPT}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}


def initialize(http: httpx.Client, url: str, caps: dict | None = None) -> dict[str, str]:
    response = http.post(url, headers=JSON, json={"jsonrpc": "2.0", "id": 1,
                         "method": "initialize", "params": {
                             "protocolVersion": "2025-11-25", "capabilities": caps or {},
                             "clientInfo": {"name": "bench", "version": "1"}}})
    return {**JSON, "Mcp-Session-Id": response.headers["mcp-session-id"],
            "MCP-Protocol-Version": "2025-11-25"}


class Stream:
    """Reads an SSE response in a thread; `wait(text)` returns when `text` has arrived."""

    def __init__(self, method: str, url: str, headers: dict, body: dict | None = None) -> None:
        self.text = ""
        self.event = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(method, url, headers, body),
                                       daemon=True)
        self.thread.start()

    def _run(self, method: str, url: str, headers: dict, body: dict | None) -> None:
        try:
            with httpx.stream(method, url, headers=headers, json=body, timeout=30) as response:
                for chunk in response.iter_text():
                    self.text += chunk
                    self.event.set()
        except httpx.HTTPError:
            pass

    def wait(self, text: str, seconds: float = 10) -> float:
        deadline = time.monotonic() + seconds
        while text not in self.text:
            if time.monotonic() > deadline:
                raise TimeoutError(text)
            time.sleep(0.0005)
        return time.monotonic()


def session_request(http: httpx.Client, urls: list[str]) -> float:
    """A legacy request whose session was created on the first worker."""
    headers = initialize(http, urls[0])
    started = time.monotonic()
    http.post(urls[-1], headers=headers, json={"jsonrpc": "2.0", "id": 2, "method": "ping"})
    return time.monotonic() - started


def elicitation_answer(http: httpx.Client, urls: list[str]) -> float:
    """From POSTing the user's answer to the tool's result arriving on the original stream."""
    headers = initialize(http, urls[0], {"elicitation": {}})
    body = {"jsonrpc": "2.0", "id": "e", "method": "tools/call", "params": {
        "name": "test_elicitation", "arguments": {"message": "?"}}}
    stream = Stream("POST", urls[0], headers, body)
    stream.wait("elicitation/create")
    asked = stream.text.split('"id":"', 2)[1].split('"')[0]
    started = time.monotonic()
    http.post(urls[-1], headers=headers, json={"jsonrpc": "2.0", "id": asked, "result": {
        "action": "accept", "content": {"username": "u", "email": "e@x.org"}}})
    return stream.wait('"id":"e","result"') - started


def change_notification(http: httpx.Client, urls: list[str]) -> float:
    """From a tool changing the tool list to list_changed on a listen stream."""
    body = {"jsonrpc": "2.0", "id": "l", "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": True},
        "_meta": {**META, "io.modelcontextprotocol/clientCapabilities": {}}}}
    stream = Stream("POST", urls[0], {**JSON, "MCP-Protocol-Version": "2026-07-28",
                                      "Mcp-Method": "subscriptions/listen"}, body)
    stream.wait("acknowledged")
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "test_trigger_tool_change", "arguments": {},
        "_meta": {**META, "io.modelcontextprotocol/clientCapabilities": {}}}}
    started = time.monotonic()
    http.post(urls[-1], json=call, headers={**JSON, "MCP-Protocol-Version": "2026-07-28",
                                            "Mcp-Method": "tools/call",
                                            "Mcp-Name": "test_trigger_tool_change"})
    return stream.wait("tools/list_changed") - started


def cancellation(http: httpx.Client, urls: list[str]) -> float:
    """From POSTing notifications/cancelled to the cancelled request's stream ending."""
    headers = initialize(http, urls[0], {"elicitation": {}})
    body = {"jsonrpc": "2.0", "id": "c", "method": "tools/call", "params": {
        "name": "test_wait_for_approval", "arguments": {"token": uuid.uuid4().hex}}}
    stream = Stream("POST", urls[0], headers, body)
    stream.wait("elicitation/create")
    started = time.monotonic()
    http.post(urls[-1], headers=headers, json={"jsonrpc": "2.0",
                                               "method": "notifications/cancelled",
                                               "params": {"requestId": "c"}})
    stream.thread.join(10)
    return time.monotonic() - started


def task_update(http: httpx.Client, urls: list[str]) -> float:
    """From tasks/update to the task being seen completed (polling every 5 ms)."""
    caps = {"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}}
    meta = {**META, "io.modelcontextprotocol/clientCapabilities": caps}

    def call(url: str, method: str, params: dict, name: str) -> dict:
        response = http.post(url, headers={**JSON, "MCP-Protocol-Version": "2026-07-28",
                                           "Mcp-Method": method, "Mcp-Name": name},
                             json={"jsonrpc": "2.0", "id": 9, "method": method,
                                   "params": {**params, "_meta": meta}})
        return response.json()["result"]

    task = call(urls[0], "tools/call", {"name": "confirm_delete",
                                        "arguments": {"filename": "f"}}, "confirm_delete")
    task_id = task["taskId"]
    while call(urls[0], "tasks/get", {"taskId": task_id}, task_id)["status"] != "input_required":
        time.sleep(0.005)
    started = time.monotonic()
    call(urls[-1], "tasks/update", {"taskId": task_id, "inputResponses": {
        "confirm": {"action": "accept", "content": {"confirm": True}}}}, task_id)
    while call(urls[0], "tasks/get", {"taskId": task_id}, task_id)["status"] != "completed":
        time.sleep(0.005)
    return time.monotonic() - started


def termination(http: httpx.Client, urls: list[str]) -> float:
    """From DELETE to the session's GET stream closing."""
    headers = initialize(http, urls[0])
    stream = Stream("GET", urls[0], {**headers, "Accept": "text/event-stream"})
    stream.wait("retry:")
    started = time.monotonic()
    http.delete(urls[-1], headers=headers)
    stream.thread.join(10)
    return time.monotonic() - started


def resume(http: httpx.Client, urls: list[str]) -> float:
    """A GET with Last-Event-ID until the final response of a closed stream arrives."""
    headers = initialize(http, urls[0])
    first = http.post(urls[0], headers=headers, json={"jsonrpc": "2.0", "id": "r",
                      "method": "tools/call", "params": {"name": "test_reconnection",
                                                         "arguments": {}}})
    last = [line[4:] for line in first.text.splitlines() if line.startswith("id: ")][-1]
    time.sleep(0.4)  # the tool has finished; its result waits in the stream's log
    started = time.monotonic()
    stream = Stream("GET", urls[-1], {**headers, "Accept": "text/event-stream",
                                      "Last-Event-ID": last})
    return stream.wait('"id":"r","result"') - started


PATHS: dict[str, Callable[[httpx.Client, list[str]], float]] = {
    "DELETE → the session's GET stream closes": termination,
    "Last-Event-ID resume → final response": resume,
    "legacy request in a session made elsewhere": session_request,
    "elicitation answer → tool resumes": elicitation_answer,
    "change → listen stream notification": change_notification,
    "notifications/cancelled → request stops": cancellation,
    "tasks/update → task completes": task_update,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    env = {"DJANGO_SETTINGS_MODULE": "tests.project.settings_redis", "MCP_TEST_DB": str(db),
           "MCP_TEST_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:6]}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ, **env})
    with LiveServer("tests.project.asgi:application", env=env) as first, \
            LiveServer("tests.project.asgi:application", env=env) as second, \
            httpx.Client(timeout=30) as http:
        a, b = first.url + "/conformance/mcp", second.url + "/conformance/mcp"
        rows = {}
        for name, measure in PATHS.items():
            measure(http, [a, a]), measure(http, [a, b])  # warm up both routes
            same = statistics.median(measure(http, [a, a]) for _ in range(args.tries))
            cross = statistics.median(measure(http, [a, b]) for _ in range(args.tries))
            rows[name] = {"same_ms": same * 1000, "cross_ms": cross * 1000,
                          "extra_ms": (cross - same) * 1000}
    print(f"{'path':45} {'same worker':>12} {'other worker':>13} {'extra':>8}")
    for name, row in rows.items():
        print(f"{name:45} {row['same_ms']:10.2f}ms {row['cross_ms']:11.2f}ms "
              f"{row['extra_ms']:6.2f}ms")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
