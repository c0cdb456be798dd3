"""Start-up time of `manage.py mcp_stdio`: process start to the first answered `ping`.

    .venv/bin/python benchmarks/stdio_startup.py                 # 10 runs of each command
    .venv/bin/python benchmarks/stdio_startup.py --runs 20 --server default --json

Baselines measured in the same run, interleaved with it (the order rotates every round, so
drift of a noisy machine spreads over all three): `python -c "import django"` (the
interpreter plus Django's import) and `manage.py check` (Django set up, apps ready, system
checks), both timed from start to exit. The stdio figure is start to the `ping` answer read on
the child's stdout; the child then gets EOF and must exit 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PING = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}\n'


def timed_exit(args: list[str], env: dict[str, str]) -> float:
    """Seconds from start to a clean exit."""
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def timed_ping(args: list[str], env: dict[str, str]) -> float:
    """Seconds from start to the first answered `ping` (sent before the child is ready, as a
    host does); then EOF, and the child must end with exit code 0."""
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(PING)
    child.stdin.flush()
    answer = json.loads(child.stdout.readline())
    elapsed = time.perf_counter() - start
    child.stdin.close()
    if answer != {"jsonrpc": "2.0", "id": 1, "result": {}} or child.wait(30) != 0:
        raise SystemExit(f"mcp_stdio answered {answer!r}, exit code {child.returncode}")
    child.stdout.close()
    return elapsed


def commands(server: str, user: str | None) -> dict[str, Callable[[dict[str, str]], float]]:
    python = sys.executable
    stdio = [python, "manage.py", "mcp_stdio", "--server", server]
    stdio += ["--user", user] if user else []
    return {
        'python -c "import django"': lambda env: timed_exit([python, "-c", "import django"],
                                                             env),
        "manage.py check": lambda env: timed_exit([python, "manage.py", "check"], env),
        "manage.py mcp_stdio → ping": lambda env: timed_ping(stdio, env),
    }


def measure(runs: int, server: str, user: str | None, env: dict[str, str]
            ) -> dict[str, list[float]]:
    targets = commands(server, user)
    times: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for name in names:  # one untimed warm-up each (file cache, .pyc)
        targets[name](env)
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(targets[name](env))
    return times


def report(times: dict[str, list[float]]) -> str:
    stdio = statistics.median(times["manage.py mcp_stdio → ping"])
    lines = [f"{'command':<30} {'min':>8} {'median':>8} {'max':>8}  stdio/this"]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"{name:<30} {min(values) * 1000:7.0f}ms {median * 1000:7.0f}ms "
                     f"{max(values) * 1000:7.0f}ms  {stdio / median:9.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--server", default="conformance")
    parser.add_argument("--user", help="--user for mcp_stdio (servers without anonymous)")
    parser.add_argument("--settings", default="demo_project.settings")
    parser.add_argument("--json", action="store_true", help="also print the raw seconds")
    options = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": options.settings}
    times = measure(options.runs, options.server, options.user, env)
    print(f"{options.runs} runs each, interleaved; settings {options.settings}, "
          f"server {options.server!r}, Python {sys.version.split()[0]}")
    print(report(times))
    if options.json:
        print(json.dumps(times))


if __name__ == "__main__":
    main()
