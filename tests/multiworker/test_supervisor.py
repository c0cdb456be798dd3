"""The worker bus outlives its channel layer: a Redis restart stops each worker's bus, the
supervisor restarts it with backoff, and cross-worker delivery works again; no worker is
judged dead (its liveness key comes back).

Log lines (logger `mcp_django.supervisor`, printed by tests/project/settings_redis.py's LOGGING
as "<LEVEL> <logger> <message>"): WARNING "worker bus stopped (<exception>); restarting in
<s> s", then INFO "worker bus restarted".

channels_redis's RedisPubSubChannelLayer (4.3) does not raise from `receive` when Redis goes
away (its reader logs, sleeps and re-subscribes), so the bus has to notice the outage itself:
the test waits for the "stopped" line on both workers while Redis is down, then restarts it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis

from mcp_django.testing import LiveServer, free_port
from tests.e2e.helpers import LegacySession, RawClient
from tests.e2e.test_approval import wait_state
from tests.e2e.test_changes import StreamReader
from tests.multiworker.test_faults import start_redis

STOPPED = re.compile(r"^WARNING mcp_django\.supervisor worker bus stopped \(.+\); "
                     r"restarting in \d+(?:\.\d+)? s$", re.MULTILINE)
RESTARTED = re.compile(r"^INFO mcp_django\.supervisor worker bus restarted$", re.MULTILINE)


def wait_until(condition: Callable[[], Any], seconds: float,
               what: str | Callable[[], str]) -> Any:
    deadline = time.monotonic() + seconds
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what() if callable(what) else what}: not within {seconds} s")
        time.sleep(0.1)
    return outcome


def cancel_across(owner: RawClient, other: RawClient) -> None:
    """A slow call running on `owner` is cancelled by a notification POSTed to `other`."""
    session = owner.initialize("2025-11-25")
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": f"sup-{token[:8]}", "method": "tools/call",
            "params": {"name": "test_slow", "arguments": {"seconds": 30, "token": token}}}
    stream = StreamReader("POST", owner.url, session.headers(), body, revision="2025-11-25")
    try:
        wait_state(owner, token, "running")
        LegacySession(other, session.id, session.version).notify(
            "notifications/cancelled", {"requestId": body["id"], "reason": "supervisor test"})
        wait_state(owner, token, "cancelled")  # the state lives in the owner's memory
    finally:
        stream.close()


def live_worker_pids(port: int, prefix: str) -> set[int]:
    """Pids of the workers whose liveness key (`mcp_django:worker:<host>-<pid>-<hex>`, under
    Django's `<KEY_PREFIX>:<version>:`) is in Redis."""
    try:
        keys = redis.Redis(port=port, socket_connect_timeout=0.5).keys(
            f"{prefix}:*:mcp_django:worker:*")
    except redis.RedisError:
        return set()
    return {int(key.decode().rsplit("-", 2)[1]) for key in keys}


def logged(worker: LiveServer, pattern: re.Pattern[str], after: int = 0) -> re.Match[str] | None:
    return pattern.search(worker.log(), after)


def test_the_worker_bus_restarts_after_redis_restarts(mcp_workers):
    port, prefix = free_port(), f"sup-{uuid.uuid4().hex[:8]}"
    redis_server = start_redis(port)
    workers = mcp_workers(2, "tests.project.settings_redis",
                          {"MCP_TEST_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                           "MCP_TEST_REDIS_PREFIX": prefix})
    pids = {worker.process.pid for worker in workers if worker.process is not None}
    a, b = (RawClient(worker.url + "/conformance/mcp") for worker in workers)
    try:
        cancel_across(a, b)  # starts both workers' buses
        cancel_across(b, a)
        wait_until(lambda: live_worker_pids(port, prefix) >= pids, 5, "liveness keys")
        assert not any(logged(worker, STOPPED) for worker in workers)

        redis_server.kill()
        redis_server.wait(5)
        stops = [wait_until(lambda w=worker: logged(w, STOPPED), 15,
                            lambda w=worker: f"'worker bus stopped' in {w.url}'s log:\n{w.log()}")
                 for worker in workers]

        redis_server = start_redis(port)
        wait_until(lambda: live_worker_pids(port, prefix) >= pids, 5,
                   "both liveness keys back after the restart")
        for worker, stop in zip(workers, stops, strict=True):
            wait_until(lambda w=worker, s=stop: logged(w, RESTARTED, s.end()), 15,
                       lambda w=worker: f"'worker bus restarted' in {w.url}'s log:\n{w.log()}")

        cancel_across(a, b)
        cancel_across(b, a)
        assert live_worker_pids(port, prefix) >= pids
    finally:
        a.close()
        b.close()
        for worker in workers:
            worker.stop()
        redis_server.kill()
        redis_server.wait(5)
