"""Failure behaviour: Redis going away (fast 503, recovery) and a worker killed mid-stream."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from mcp_django.testing import free_port
from tests.e2e.helpers import ACCEPT_BOTH, LegacySession, RawClient
from tests.e2e.test_changes import StreamReader


def start_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is required for the Redis fault test")
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    import redis

    while time.monotonic() < deadline:
        try:
            redis.Redis(port=port, socket_connect_timeout=0.2).ping()
            return process
        except redis.RedisError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("the private redis-server did not start")


def initialize(client: RawClient) -> tuple[int, float]:
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "fault", "version": "1"}}}
    started = time.monotonic()
    response = client.http.post(client.url, json=body, headers={
        "Content-Type": "application/json", "Accept": ACCEPT_BOTH})
    return response.status_code, time.monotonic() - started


def test_redis_outage_fails_fast_with_503_and_recovers(mcp_workers):
    port = free_port()
    redis_server = start_redis(port)
    [worker] = mcp_workers(1, "tests.project.settings_redis",
                           {"MCP_TEST_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                            "MCP_TEST_REDIS_PREFIX": "fault"})
    client = RawClient(worker.url + "/conformance/mcp")
    try:
        assert initialize(client)[0] == 200
        redis_server.terminate()
        redis_server.wait(5)
        status, seconds = initialize(client)
        assert status == 503 and seconds < 3, (status, seconds)
        # a well-formed session id, so the server must look it up (and finds the cache down)
        body = client.http.post(client.url, json={"jsonrpc": "2.0", "id": 2, "method": "ping"},
                                headers={"Content-Type": "application/json",
                                         "Accept": ACCEPT_BOTH, "Mcp-Session-Id": "0" * 32})
        assert body.status_code == 503 and body.json()["error"]["code"] == -32603
        assert body.headers["retry-after"] == "1"
        # stateless requests need no shared state: they keep working during the outage
        assert client.modern("tools/call", {"name": "echo",
                                            "arguments": {"text": "up"}}).status == 200
        redis_server = start_redis(port)
        deadline = time.monotonic() + 10
        while initialize(client)[0] != 200:
            assert time.monotonic() < deadline, "service did not resume after Redis came back"
            time.sleep(0.2)
    finally:
        client.close()
        redis_server.kill()
        redis_server.wait(5)


def test_a_killed_worker_harms_no_other_client(mcp_workers, redis_prefix):
    from tests.multiworker.conftest import REDIS_URL

    doomed, survivor = mcp_workers(2, "tests.project.settings_redis",
                                   {"MCP_TEST_REDIS_PREFIX": redis_prefix,
                                    "MCP_TEST_REDIS_URL": REDIS_URL})
    a = RawClient(doomed.url + "/conformance/mcp")
    b = RawClient(survivor.url + "/conformance/mcp")
    try:
        bystander = a.initialize("2025-11-25")  # another client, whose session began on A
        victim = a.initialize("2025-11-25")
        body = {"jsonrpc": "2.0", "id": "long-1", "method": "tools/call", "params": {
            "name": "test_slow", "arguments": {"seconds": 30},
            "_meta": {"progressToken": "v"}}}
        stream = StreamReader("POST", a.url, victim.headers(), body, revision="2025-11-25")
        stream.wait_for(lambda m: m.get("method") == "notifications/progress")
        last_id = [line[4:] for line in stream.raw.splitlines() if line.startswith("id: ")][-1]
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait(5)
        other = LegacySession(b, bystander.id, bystander.version)
        assert other.request("tools/call", {"name": "echo", "arguments": {"text": "fine"}}
                             ).result["content"][0]["text"] == "fine"
        resumed = StreamReader("GET", b.url, {**LegacySession(b, victim.id, victim.version
                                                              ).headers(),
                                              "Accept": "text/event-stream",
                                              "Last-Event-ID": last_id}, revision="2025-11-25")
        lost = resumed.wait_for(lambda m: m.get("id") == "long-1", seconds=15)
        assert "send it again" in lost["error"]["message"]
    finally:
        a.close()
        b.close()
