"""A bystander's latency while hostile clients attack: each case of tests/e2e/test_abuse.py.

    .venv/bin/python benchmarks/abuse.py                      # ~2 minutes
    .venv/bin/python benchmarks/abuse.py --duration 8 --cases sessions-flood,big-uploads

One daphne serves the test project (conformance, `tight`, `one_command`, ...) on a free port,
pinned to CPU 0; the attackers and the bystander (a loop of 2026-07-28 `tools/call` echo)
run as threads of this process, pinned to CPU 1. The quiet baseline is the bystander alone,
measured in the same run before the attacks (and again after them, as a check). The target:
the bystander's p99 during an attack stays under 10x its quiet p99. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.test_abuse import (  # noqa: E402
    CASES,
    CONFORMANCE,
    Bystander,
    Case,
    RssSampler,
    run_attack,
    settle,
    steady,
)

HOST = "127.0.0.1"
SERVER_CPU, LOAD_CPU = 0, 1
SETTINGS = "tests.project.settings"
TARGET_RATIO = 10.0


@dataclass
class Row:
    name: str
    calls: int
    ok: float
    p50_ms: float
    p99_ms: float
    rss: tuple[float, float, float] | None = None
    counts: dict[str, int] | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pin(cpu: int, pinning: bool) -> list[str]:
    return ["taskset", "-c", str(cpu)] if pinning else []


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                          cwd=ROOT, env=env, timeout=300, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py migrate failed: {done.stderr[-2000:]}")


def start_server(env: dict[str, str], port: int, log: Path, pinning: bool
                 ) -> subprocess.Popen[bytes]:
    command = pin(SERVER_CPU, pinning) + [sys.executable, "-m", "daphne", "-b", HOST, "-p",
                                          str(port), "-v", "0", "tests.project.asgi:application"]
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited ({proc.returncode}): {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"daphne not listening after {timeout:.0f}s: {log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def quiet(url: str, seconds: float, name: str) -> Row:
    """The bystander alone for `seconds`."""
    bystander = Bystander(url + CONFORMANCE)
    bystander.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and bystander.is_alive():
        time.sleep(0.05)
    bystander.finish()
    return row_of(name, bystander)


def row_of(name: str, bystander: Bystander) -> Row:
    return Row(name, len(bystander.latencies), 100 * bystander.success_rate,
               1000 * bystander.percentile(0.5), 1000 * bystander.percentile(0.99))


def attacked(url: str, pid: int, case: Case, seconds: float) -> Row:
    """The bystander while `case` runs for `seconds`, with the worker's RSS around it."""
    run_attack(url, case, 1.0)  # warm-up: the first allocations are not the attack's cost
    before = steady(pid)
    bystander, sampler = Bystander(url + CONFORMANCE), RssSampler(pid)
    bystander.start()
    state = run_attack(url, case, seconds)
    bystander.finish()
    peak = sampler.finish()
    after = settle(pid, before + 20)
    for cleanup in state.cleanup:
        cleanup()
    row = row_of(case.name, bystander)
    row.rss, row.counts = (before, peak, after), dict(sorted(state.counts.items()))
    return row


def table(rows: list[Row], baseline: Row) -> str:
    lines = ["| attack | bystander calls | ok | p50 ms | p99 ms | p99 / quiet p99 | "
             "target < 10x | worker RSS MB before → peak → after |",
             "|---|---:|---:|---:|---:|---:|:---:|---|"]
    for row in rows:
        ratio = row.p99_ms / baseline.p99_ms if baseline.p99_ms else float("inf")
        rss = " → ".join(f"{value:.0f}" for value in row.rss) if row.rss else ""
        verdict = "" if row.rss is None else ("yes" if ratio < TARGET_RATIO else "**no**")
        lines.append(f"| {row.name} | {row.calls} | {row.ok:.1f} % | {row.p50_ms:.1f} | "
                     f"{row.p99_ms:.1f} | {ratio:.1f}x | {verdict} | {rss} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [case.name for case in CASES]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=6.0,
                        help="seconds of each attack and of the quiet baseline; default 6")
    parser.add_argument("--cases", default=",".join(names), help=f"comma list of {names}")
    parser.add_argument("--no-pin", action="store_true", help="do not use taskset")
    args = parser.parse_args(argv)
    args.case_list = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in args.case_list if c not in names]
    if unknown or args.duration <= 0:
        parser.error(f"unknown case(s) {unknown} (cases: {', '.join(names)}), or --duration <= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    pinning = not args.no_pin and shutil.which("taskset") is not None and \
        {SERVER_CPU, LOAD_CPU} <= cpus
    if pinning:
        os.sched_setaffinity(0, {LOAD_CPU})  # attackers and bystander off the server's core
    else:
        print("WARNING: not pinning (needs taskset and CPUs 0 and 1)", flush=True)
    if os.getloadavg()[0] > 0.5:
        print(f"WARNING: 1-minute load average is {os.getloadavg()[0]:.2f}: other processes "
              "use the CPUs, expect noisy latencies", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="mcp-django-abuse-"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS, MCP_TEST_DB=str(workdir / "db"),
               PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    migrate(env)
    port, log = free_port(), workdir / "daphne.log"
    url = f"http://{HOST}:{port}"
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    proc = start_server(env, port, log, pinning)
    try:
        wait_ready(proc, port, log)
        quiet(url, 1.0, "warm-up")
        baseline = quiet(url, args.duration, "quiet (before)")
        print(f"quiet baseline: p50 {baseline.p50_ms:.1f} ms, p99 {baseline.p99_ms:.1f} ms",
              flush=True)
        rows = [baseline]
        for case in CASES:
            if case.name in args.case_list:
                rows.append(attacked(url, proc.pid, case, args.duration))
                print(f"  {case.name}: done {rows[-1].counts}", flush=True)
        rows.append(quiet(url, args.duration, "quiet (after)"))
        alive = proc.poll() is None
    finally:
        stop_server(proc)
        signal.signal(signal.SIGTERM, previous)
    print(f"\nbystander: 2026-07-28 tools/call echo on /conformance/mcp, {args.duration:g} s "
          f"per row, pinned: {pinning}\n")
    print(table(rows, baseline))
    missed = [row.name for row in rows if row.rss is not None
              and (row.ok < 100 or row.p99_ms >= TARGET_RATIO * baseline.p99_ms)]
    if missed or not alive:
        print(f"\nmissed the target: {missed}; server alive at the end: {alive}; log: {log}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
