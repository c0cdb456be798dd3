"""Pure-Python fallback load generator: N keep-alive HTTP/1.1 connections, closed loop.

Used by run.py only when `wrk` is not on PATH. One asyncio process on one core; it can easily be
slower than the server under test, so its numbers are a lower bound (run.py prints a warning).

    python benchmarks/pyload.py SPEC.json   ->  prints one line `BENCH_JSON {...}`

Latency percentiles get the same coordinated-omission correction wrk applies (see `corrected`),
so they compare with wrk's; the raw percentiles are reported as `latency_us_uncorrected`.

SPEC: {"host", "port", "path", "headers": [[name, value], ...], "body_prefix", "body_suffix",
       "connections", "duration", "timeout"}; each request's body is prefix + <counter> + suffix.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.bytes = 0
        self.status_errors = 0
        self.read_errors = 0
        self.write_errors = 0
        self.connect_errors = 0
        self.timeouts = 0
        self.counter = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one response; return (status, bytes read, server wants to close)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    size = len(head)
    if "content-length" in headers:
        length = int(headers["content-length"])
        if length:
            size += len(await reader.readexactly(length))
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            line = await reader.readuntil(b"\r\n")
            size += len(line)
            length = int(line.split(b";", 1)[0].strip(), 16)
            size += len(await reader.readexactly(length + 2))
            if length == 0:
                break
    elif status not in (204, 304) and status >= 200:
        size += len(await reader.read())  # body delimited by close
        return status, size, True
    return status, size, headers.get("connection", "").lower() == "close"


async def connection(spec: dict[str, Any], stats: Stats, deadline: float) -> None:
    host, port = spec["host"], spec["port"]
    fixed = [f"POST {spec['path']} HTTP/1.1", f"Host: {host}:{port}"]
    fixed += [f"{name}: {value}" for name, value in spec["headers"]]
    head = "\r\n".join(fixed) + "\r\n"
    prefix, suffix = spec["body_prefix"].encode(), spec["body_suffix"].encode()
    timeout = spec.get("timeout", 5.0)
    reader = writer = None
    while time.perf_counter() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                stats.connect_errors += 1
                await asyncio.sleep(0.05)
                continue
        assert reader is not None
        stats.counter += 1
        body = prefix + str(stats.counter).encode() + suffix
        request = (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        start = time.perf_counter()
        try:
            writer.write(request)
            await writer.drain()
        except OSError:
            stats.write_errors += 1
            writer = None
            continue
        try:
            status, size, close = await asyncio.wait_for(read_response(reader), timeout)
        except TimeoutError:
            stats.timeouts += 1
            writer.close()
            writer = None
            continue
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            stats.read_errors += 1
            writer.close()
            writer = None
            continue
        stats.latencies.append(time.perf_counter() - start)
        stats.bytes += size
        if status > 399:
            stats.status_errors += 1
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def corrected(values: list[float], expected: float) -> list[float]:
    """wrk's `stats_correct`: a response that took L >= 2 * expected (the mean per-connection
    interval) stands for the requests an open-loop client would have sent meanwhile, so add
    samples L - expected, L - 2 * expected, ... while they exceed `expected`."""
    if expected <= 0:
        return values
    extra = []
    for value in values:
        if value >= 2 * expected:
            m = value - expected
            while m > expected:
                extra.append(m)
                m -= expected
    return sorted(values + extra) if extra else values


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    stats = Stats()
    start = time.perf_counter()
    deadline = start + float(spec["duration"])
    await asyncio.gather(*(connection(spec, stats, deadline)
                           for _ in range(int(spec["connections"]))))
    elapsed = time.perf_counter() - start
    raw = sorted(stats.latencies)
    connections = int(spec["connections"])
    expected = elapsed / (len(raw) // connections) if len(raw) >= connections else 0.0
    values = corrected(raw, expected)  # percentiles comparable with wrk's
    us = 1e6
    return {
        "requests": len(values),
        "duration_us": int(elapsed * us),
        "bytes": stats.bytes,
        "errors": {"connect": stats.connect_errors, "read": stats.read_errors,
                   "write": stats.write_errors, "status": stats.status_errors,
                   "timeout": stats.timeouts},
        "latency_us": {"p50": percentile(values, 0.50) * us, "p90": percentile(values, 0.90) * us,
                       "p99": percentile(values, 0.99) * us,
                       "mean": (sum(values) / len(values) * us) if values else 0.0,
                       "max": (values[-1] * us) if values else 0.0},
        "latency_us_uncorrected": {"p50": percentile(raw, 0.50) * us,
                                   "p99": percentile(raw, 0.99) * us},
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        result = asyncio.run(main(json.load(f)))
    print("BENCH_JSON " + json.dumps(result), flush=True)
