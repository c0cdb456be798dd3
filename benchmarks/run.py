"""tools/call echo throughput and latency: mcp_django vs bare ASGI, bare Django and the mcp SDK.

    .venv/bin/python benchmarks/run.py                       # defaults: ~3.5 minutes
    .venv/bin/python benchmarks/run.py --duration 3 --rounds 2 --targets asgi,mcp-modern

Every (ASGI server, target) pair runs as its own server process pinned to CPU 0; the load
generator (wrk, or the pure-Python fallback) is pinned to CPU 1. All servers start up front and
stay up; the timed slices are interleaved in rounds, with the order rotated every round, so slow
drift (thermal, noisy neighbours) is spread over all targets. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
HOST = "127.0.0.1"
SERVER_CPU, LOAD_CPU = 0, 1

ECHO_TEXT = "hello from the mcp_django benchmark"
MODERN_VERSION = "2026-07-28"
LEGACY_VERSION = "2025-11-25"
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
    "io.modelcontextprotocol/clientCapabilities": {},
}
BASE_HEADERS = [("Content-Type", "application/json"),
                ("Accept", "application/json, text/event-stream")]
MODERN_HEADERS = BASE_HEADERS + [("MCP-Protocol-Version", MODERN_VERSION),
                                 ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")]


@dataclass(frozen=True)
class Target:
    name: str
    app: str  # module:attribute
    path: str
    flavour: str  # "modern": 2026-07-28 stateless request; "legacy": initialize, then session
    description: str
    settings: str | None = None  # DJANGO_SETTINGS_MODULE
    default: bool = True
    root: Path | None = None  # another checkout (--baseline-tree); None = this one


TARGETS = {t.name: t for t in [
    Target("asgi", "benchmarks.targets.bare_asgi:app", "/mcp", "modern",
           "bare ASGI callable: json.loads the body, answer the result (the ceiling)"),
    Target("django", "benchmarks.targets.django_bare.asgi:application", "/mcp", "modern",
           "bare Django async view, MIDDLEWARE = []",
           settings="benchmarks.targets.django_bare.settings"),
    Target("django-mw", "benchmarks.targets.django_bare.asgi:application", "/mcp", "modern",
           "bare Django async view, Django's default MIDDLEWARE list",
           settings="benchmarks.targets.django_bare.settings_middleware"),
    Target("mcp-modern", "demo_project.asgi:application", "/conformance/mcp", "modern",
           "mcp_django, 2026-07-28 stateless request (answered as JSON)",
           settings="demo_project.settings"),
    Target("mcp-legacy", "demo_project.asgi:application", "/conformance/mcp", "legacy",
           "mcp_django, 2025-11-25 session (Mcp-Session-Id)",
           settings="demo_project.settings"),
    Target("sdk-modern", "benchmarks.targets.sdk_app:stateless_json", "/mcp", "modern",
           "mcp SDK, stateless_http + json_response, 2026-07-28 request"),
    Target("sdk-stateful", "benchmarks.targets.sdk_app:stateful", "/mcp", "legacy",
           "mcp SDK, stateful (SDK default: answers as SSE), 2025-11-25 session"),
    Target("sdk-stateful-json", "benchmarks.targets.sdk_app:stateful_json", "/mcp", "legacy",
           "mcp SDK, stateful + json_response, 2025-11-25 session (not run by default)",
           default=False),
]}
SERVERS = ("daphne", "uvicorn")
CEILING, DJANGO_BASE = "asgi", "django"


# --------------------------------------------------------------------------------- requests
def body_parts(flavour: str) -> tuple[str, str]:
    """The tools/call body split around its id: body = prefix + str(id) + suffix."""
    params: dict[str, Any] = {"name": "echo", "arguments": {"text": ECHO_TEXT}}
    if flavour == "modern":
        params["_meta"] = MODERN_META
    rest = json.dumps({"method": "tools/call", "params": params}, separators=(",", ":"))
    return '{"jsonrpc":"2.0","id":', "," + rest[1:]


def http_post(port: int, path: str, headers: list[tuple[str, str]], body: str,
              timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body.encode(), dict(headers))
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


def jsonrpc_messages(headers: dict[str, str], body: bytes) -> list[dict[str, Any]]:
    """The JSON-RPC messages in a JSON or SSE response body."""
    if headers.get("content-type", "").startswith("text/event-stream"):
        messages = []
        for event in body.decode().replace("\r\n", "\n").split("\n\n"):
            data = "\n".join(line[5:].lstrip() for line in event.split("\n")
                             if line.startswith("data:"))
            if data:
                messages.append(json.loads(data))
        return messages
    decoded = json.loads(body) if body else []
    return decoded if isinstance(decoded, list) else [decoded]


def legacy_handshake(port: int, path: str) -> list[tuple[str, str]]:
    """initialize + notifications/initialized; return the headers for the session's requests."""
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": LEGACY_VERSION, "capabilities": {},
                       "clientInfo": {"name": "mcp-django-bench", "version": "1"}}}
    status, headers, body = http_post(port, path, BASE_HEADERS, json.dumps(init))
    session = headers.get("mcp-session-id")
    if status != 200 or not session:
        raise RuntimeError(f"initialize: HTTP {status}, no Mcp-Session-Id: {body[:200]!r}")
    reply = next((m for m in jsonrpc_messages(headers, body) if m.get("id") == 0), None)
    if reply is None or reply.get("result", {}).get("protocolVersion") != LEGACY_VERSION:
        raise RuntimeError(f"initialize: unexpected reply {body[:300]!r}")
    session_headers = BASE_HEADERS + [("Mcp-Session-Id", session),
                                      ("MCP-Protocol-Version", LEGACY_VERSION)]
    status, _, body = http_post(port, path, session_headers,
                                '{"jsonrpc":"2.0","method":"notifications/initialized"}')
    if status != 202:
        raise RuntimeError(f"notifications/initialized: HTTP {status}: {body[:200]!r}")
    return session_headers


def verify(port: int, path: str, headers: list[tuple[str, str]], flavour: str,
           request_id: int = 424242) -> str | None:
    """One tools/call; None when the echo comes back right, else what went wrong."""
    prefix, suffix = body_parts(flavour)
    try:
        status, response_headers, body = http_post(port, path, headers,
                                                   prefix + str(request_id) + suffix)
    except (OSError, http.client.HTTPException) as exc:
        return f"request failed: {exc!r}"
    if status != 200:
        return f"HTTP {status}: {body[:300]!r}"
    try:
        messages = jsonrpc_messages(response_headers, body)
    except ValueError:
        return f"unparsable body: {body[:300]!r}"
    reply = next((m for m in messages if m.get("id") == request_id), None)
    result = reply.get("result") if reply else None
    if not isinstance(result, dict) or result.get("isError"):
        return f"no successful result: {body[:300]!r}"
    content = result.get("content") or [{}]
    if content[0].get("type") != "text" or content[0].get("text") != ECHO_TEXT:
        return f"wrong echo: {content!r}"
    return None


# ---------------------------------------------------------------------------------- servers
@dataclass
class Instance:
    server: str
    target: Target
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    script: Path | None = None
    na: str | None = None  # why this pair is not measured
    rounds: list[dict[str, Any]] = field(default_factory=list)
    post_check: str | None = None

    @property
    def key(self) -> str:
        return f"{self.server}/{self.target.name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pin(cpu: int, pinning: bool) -> list[str]:
    return ["taskset", "-c", str(cpu)] if pinning else []


def server_command(server: str, app: str, port: int) -> list[str]:
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), "-v", "0", app]
    return [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
            "--log-level", "warning", "--no-access-log"]


def start(instance: Instance, logdir: Path, pinning: bool) -> None:
    instance.port = free_port()
    root = instance.target.root or ROOT
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if instance.target.settings:
        env["DJANGO_SETTINGS_MODULE"] = instance.target.settings
    instance.log = logdir / f"{instance.server}-{instance.target.name}.log"
    with open(instance.log, "wb") as log:
        instance.proc = subprocess.Popen(
            pin(SERVER_CPU, pinning) + server_command(instance.server, instance.target.app,
                                                      instance.port),
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)


def log_tail(instance: Instance, lines: int = 6) -> str:
    if instance.log is None or not instance.log.exists():
        return ""
    text = instance.log.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])


def wait_ready(instance: Instance, timeout: float) -> None:
    assert instance.proc is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.proc.poll() is not None:
            instance.na = f"server exited ({instance.proc.returncode}): {log_tail(instance)}"
            return
        with contextlib.suppress(OSError), socket.create_connection((HOST, instance.port), 0.5):
            return
        time.sleep(0.1)
    instance.na = f"not listening after {timeout:.0f}s: {log_tail(instance)}"


def prepare(instance: Instance) -> None:
    """Handshake if needed, then check one echo round trip before any timing."""
    target = instance.target
    try:
        instance.headers = (legacy_handshake(instance.port, target.path)
                            if target.flavour == "legacy" else list(MODERN_HEADERS))
    except (OSError, RuntimeError, ValueError, http.client.HTTPException) as exc:
        instance.na = f"handshake failed: {exc}"
        return
    problem = verify(instance.port, target.path, instance.headers, target.flavour)
    if problem:
        instance.na = f"verification failed: {problem}"


def stop(instances: list[Instance]) -> None:
    running = [i for i in instances if i.proc is not None and i.proc.poll() is None]
    for instance in running:
        assert instance.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(instance.proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    for instance in running:
        assert instance.proc is not None
        try:
            instance.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(instance.proc.pid, signal.SIGKILL)
            instance.proc.wait()


# ------------------------------------------------------------------------------- load (wrk)
WRK_SCRIPT = """\
-- generated by benchmarks/run.py for {key}
wrk.method = "POST"
{headers}
local prefix = [==[{prefix}]==]
local suffix = [==[{suffix}]==]
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. counter .. suffix)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}},' ..
    '"latency_us":{{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
"""


def write_wrk_script(instance: Instance, scriptdir: Path) -> None:
    prefix, suffix = body_parts(instance.target.flavour)
    headers = "\n".join(f'wrk.headers["{name}"] = [==[{value}]==]'
                        for name, value in instance.headers)
    instance.script = scriptdir / f"{instance.server}-{instance.target.name}.lua"
    instance.script.write_text(WRK_SCRIPT.format(key=instance.key, headers=headers,
                                                 prefix=prefix, suffix=suffix))


def run_load(instance: Instance, args: argparse.Namespace, duration: int, loadgen: str,
             scriptdir: Path, pinning: bool) -> dict[str, Any]:
    url = f"http://{HOST}:{instance.port}{instance.target.path}"
    if loadgen == "wrk":
        assert instance.script is not None
        command = pin(LOAD_CPU, pinning) + [
            "wrk", "-t1", f"-c{args.connections}", f"-d{duration}s", "--timeout", "5s",
            "--latency", "-s", str(instance.script), url]
    else:
        prefix, suffix = body_parts(instance.target.flavour)
        spec = scriptdir / f"{instance.server}-{instance.target.name}.json"
        spec.write_text(json.dumps({
            "host": HOST, "port": instance.port, "path": instance.target.path,
            "headers": instance.headers, "body_prefix": prefix, "body_suffix": suffix,
            "connections": args.connections, "duration": duration, "timeout": 5.0}))
        command = pin(LOAD_CPU, pinning) + [sys.executable, str(BENCH / "pyload.py"), str(spec)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    except subprocess.TimeoutExpired:
        return {"failed": "load generator did not finish in time"}
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line[len("BENCH_JSON "):])
            seconds = result["duration_us"] / 1e6
            result["rps"] = result["requests"] / seconds if seconds else 0.0
            result["error_count"] = sum(result["errors"].values())
            return result
    return {"failed": f"load generator rc={done.returncode}: "
                      f"{(done.stderr or done.stdout).strip()[-300:]}"}


# ---------------------------------------------------------------------------------- report
def summarize(instance: Instance) -> dict[str, Any]:
    good = [r for r in instance.rounds if "failed" not in r]
    summary: dict[str, Any] = {
        "server": instance.server, "target": instance.target.name,
        "description": instance.target.description, "na": instance.na,
        "rounds": instance.rounds, "post_check": instance.post_check,
    }
    if instance.na or not good:
        summary["na"] = instance.na or "every load run failed"
        return summary
    rps = [r["rps"] for r in good]
    summary.update(
        rps=statistics.median(rps),
        rps_min=min(rps), rps_max=max(rps),
        p50_ms=statistics.median(r["latency_us"]["p50"] for r in good) / 1000,
        p99_ms=statistics.median(r["latency_us"]["p99"] for r in good) / 1000,
        requests=sum(r["requests"] for r in good),
        errors=sum(r["error_count"] for r in good),
        non_2xx=sum(r["errors"]["status"] for r in good),
        failed_rounds=len(instance.rounds) - len(good),
    )
    problems = []
    if summary["errors"]:
        problems.append(f"{summary['errors']} errors ({summary['non_2xx']} HTTP >= 400)")
    if summary["failed_rounds"]:
        problems.append(f"{summary['failed_rounds']} failed rounds")
    if instance.post_check:
        problems.append(f"post-run check: {instance.post_check}")
    summary["flag"] = "; ".join(problems) or None
    return summary


def add_ratios(summaries: list[dict[str, Any]]) -> None:
    by_key = {(s["server"], s["target"]): s for s in summaries}
    for s in summaries:
        for base, label in ((CEILING, "vs_asgi"), (DJANGO_BASE, "vs_django")):
            ref = by_key.get((s["server"], base))
            ok = ref is not None and ref.get("rps") and s.get("rps")
            s[label] = s["rps"] / ref["rps"] if ok else None  # type: ignore[index]


def print_table(summaries: list[dict[str, Any]]) -> None:
    def ratio(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "-"

    header = (f"{'server':<8} {'target':<18} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'vs asgi':>7} {'vs django':>9} {'spread':>6}  errors")
    print(header)
    print("-" * len(header))
    for s in summaries:
        if s.get("na"):
            print(f"{s['server']:<8} {s['target']:<18} {'n/a':>8}  {s['na']}")
            continue
        spread = (s["rps_max"] - s["rps_min"]) / s["rps"] * 100 if s["rps"] else 0.0
        flag = f"FLAGGED: {s['flag']}" if s["flag"] else "0"
        print(f"{s['server']:<8} {s['target']:<18} {s['rps']:>8.0f} {s['p50_ms']:>7.2f} "
              f"{s['p99_ms']:>7.2f} {ratio(s['vs_asgi']):>7} {ratio(s['vs_django']):>9} "
              f"{spread:>5.0f}%  {flag}")


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in ("Django", "daphne", "Twisted", "uvicorn", "mcp", "channels", "starlette"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    found["uvloop"] = "yes" if importlib.util.find_spec("uvloop") else "no (asyncio loop)"
    found["httptools"] = "yes" if importlib.util.find_spec("httptools") else "no (h11 parser)"
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        found["wrk"] = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) \
            else "?"
    return found


def git_commit() -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    return None


def ensure_demo_db(targets: list[Target]) -> None:
    if not any(t.settings == "demo_project.settings" for t in targets):
        return
    for root in {t.root or ROOT for t in targets}:
        if os.environ.get("DATABASE_URL") or (root / "demo.sqlite3").exists():
            continue
        print(f"{root}/demo.sqlite3 missing: running manage.py migrate", flush=True)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="demo_project.settings",
                   PYTHONPATH=str(root))
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=root, env=env, check=True, timeout=300)


def baseline_targets(names: list[str], tree: Path) -> list[Target]:
    """`<name>@base`: the same mcp_django targets served from another checkout (e.g. a
    `git worktree` of the commit before a change), for before/after ratios in one run."""
    return [replace(TARGETS[name], name=f"{name}@base", root=tree, description=(
        f"{TARGETS[name].description} [{tree}]")) for name in names if name.startswith("mcp-")]


# ------------------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = ",".join(name for name, t in TARGETS.items() if t.default)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=4,
                        help="seconds per timed slice (integer: wrk's resolution); default 4")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; default 3")
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of untimed load per server before the rounds; default 1")
    parser.add_argument("--targets", default=defaults,
                        help=f"comma list; default {defaults}; also: sdk-stateful-json")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma list of daphne,uvicorn")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                        help="auto: wrk when on PATH, else the pure-Python fallback")
    parser.add_argument("--no-pin", action="store_true", help="do not use taskset")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON file (default benchmarks/results/<timestamp>.json)")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the server logs and wrk scripts (always kept when flagged)")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--baseline-tree", type=Path, default=None,
                        help="also serve the mcp-* targets from this checkout (as <name>@base)")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.rounds < 1 or args.warmup < 0 or args.connections < 1:
        parser.error("--duration, --rounds and --connections must be >= 1, --warmup >= 0")
    args.target_list = [t.strip() for t in args.targets.split(",") if t.strip()]
    args.server_list = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = [t for t in args.target_list if t not in TARGETS]
    unknown += [s for s in args.server_list if s not in SERVERS]
    if unknown:
        parser.error(f"unknown target/server: {', '.join(unknown)} "
                     f"(targets: {', '.join(TARGETS)}; servers: {', '.join(SERVERS)})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for t in TARGETS.values():
            print(f"{t.name:<18} {t.description}  [{t.app} {t.path}]")
        return 0

    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    if loadgen == "wrk" and not shutil.which("wrk"):
        print("wrk is not on PATH (apt-get install -y wrk)", file=sys.stderr)
        return 2
    if loadgen == "python":
        print("WARNING: wrk not found; using the pure-Python load generator. It runs on one "
              "core and may be the bottleneck: treat the numbers as lower bounds and compare "
              "ratios only.", flush=True)

    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    pinning = (not args.no_pin and shutil.which("taskset") is not None
               and {SERVER_CPU, LOAD_CPU} <= cpus)
    if pinning:
        os.sched_setaffinity(0, {LOAD_CPU})  # keep this orchestrator off the server's core
    else:
        print("WARNING: not pinning (needs taskset and CPUs 0 and 1); server and load "
              "generator share cores.", flush=True)

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"WARNING: 1-minute load average is {load_before:.2f} before starting: other "
              "processes are using the CPUs, expect noisy numbers (see the spread column).",
              flush=True)

    targets = [TARGETS[name] for name in args.target_list]
    if args.baseline_tree is not None:
        targets += baseline_targets(args.target_list, args.baseline_tree.resolve())
    ensure_demo_db(targets)
    instances = [Instance(server, target) for target in targets for server in args.server_list]
    slices = len(instances) * (args.rounds * (args.duration + 0.3) + args.warmup + 0.3)
    print(f"{len(instances)} server/target pairs x {args.rounds} rounds x {args.duration}s, "
          f"{args.connections} connections, load generator: {loadgen}; "
          f"estimated {slices / 60:.1f} min + startup", flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="mcp-django-bench-"))
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        for instance in instances:
            start(instance, workdir, pinning)
        for instance in instances:
            wait_ready(instance, timeout=60)
        for instance in instances:
            if instance.na is None:
                prepare(instance)
            if instance.na is None and loadgen == "wrk":
                write_wrk_script(instance, workdir)
            state = "ready" if instance.na is None else f"n/a: {instance.na}"
            print(f"  {instance.key:<28} port {instance.port:<5}  {state}", flush=True)

        live = [i for i in instances if i.na is None]
        if args.warmup:
            print(f"warm-up: {args.warmup}s per server", flush=True)
            for instance in live:
                run_load(instance, args, args.warmup, loadgen, workdir, pinning)
        for r in range(args.rounds):
            shift = (r * len(live)) // args.rounds
            order = live[shift:] + live[:shift]
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(i.key for i in order), flush=True)
            for instance in order:
                result = run_load(instance, args, args.duration, loadgen, workdir, pinning)
                result["round"] = r + 1
                instance.rounds.append(result)
                time.sleep(0.3)
        for instance in live:  # the servers must still answer correctly after the load
            instance.post_check = verify(instance.port, instance.target.path, instance.headers,
                                         instance.target.flavour, request_id=777777)
            if instance.proc is not None and instance.proc.poll() is not None:
                instance.post_check = f"server died: {log_tail(instance)}"
    finally:
        stop(instances)
        signal.signal(signal.SIGTERM, previous)

    summaries = [summarize(i) for i in instances]
    add_ratios(summaries)
    print()
    print(f"tools/call echo, {args.connections} connections, median of {args.rounds} x "
          f"{args.duration}s rounds; ratios are req/s over the same ASGI server's baseline")
    print_table(summaries)
    print("latency percentiles are corrected for coordinated omission, as wrk does: a stall "
          "counts for the requests an open-loop client would have sent during it")
    for s in summaries:
        if s.get("flag") or s.get("na"):
            log = workdir / f"{s['server']}-{s['target']}.log"
            print(f"  note {s['server']}/{s['target']}: server log kept at {log}")

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    output = args.output or RESULTS / f"{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "timestamp": dt.datetime.now().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "settings": {"duration": args.duration, "rounds": args.rounds, "warmup": args.warmup,
                     "connections": args.connections, "loadgen": loadgen, "pinned": pinning,
                     "server_cpu": SERVER_CPU if pinning else None,
                     "load_cpu": LOAD_CPU if pinning else None},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "versions": versions(),
        "elapsed_s": round(time.monotonic() - started, 1),
        "loadavg_1min_before": round(load_before, 2),
        "results": summaries,
    }, indent=2))
    print(f"\nJSON: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    flagged = [s for s in summaries if s.get("flag")]
    if args.keep_logs or any(s.get("na") or s.get("flag") for s in summaries):
        print(f"server logs and load scripts: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
