"""Limits on what one client can make the server do: batches, session ends, unread streams."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import ACCEPT_BOTH, LegacySession, RawClient
from tests.e2e.test_batch_cancel import BackgroundPost, slow_item, wait_status


@pytest.fixture
def tight(live_mcp_server) -> Iterator[RawClient]:
    """MAX_BATCH=5, REQUEST_TIMEOUT=1, MAX_BATCH_RESPONSE_BYTES=2000, STREAM_BUFFER_BYTES=64K."""
    client = RawClient(live_mcp_server.url + "/tight/mcp")
    yield client
    client.close()


def echo(n: int, text: str = "hi") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": n, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": text}}}


def slow(n: int, seconds: float) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": n, "method": "tools/call",
            "params": {"name": "test_slow", "arguments": {"seconds": seconds}}}


def post_batch(session: LegacySession, batch: list[Any]) -> Any:
    return session.client.http.post(session.client.url, content=json.dumps(batch),
                                     headers=session.headers())


def test_batch_over_max_batch_is_refused_whole(tight):
    session = tight.initialize("2025-03-26")
    response = post_batch(session, [echo(n) for n in range(6)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600
    assert "MAX_BATCH (5)" in response.json()["error"]["message"]
    assert [a["id"] for a in post_batch(session, [echo(n) for n in range(5)]).json()] == \
        [0, 1, 2, 3, 4]


def test_batch_answers_past_the_response_limit_become_errors(tight):
    session = tight.initialize("2025-03-26")
    answers = post_batch(session, [echo(n, "x" * 600) for n in range(5)]).json()
    assert [a["id"] for a in answers] == [0, 1, 2, 3, 4]
    kept = [a for a in answers if "result" in a]
    refused = [a for a in answers if "error" in a]
    assert 1 <= len(kept) < 5 and len(refused) == 5 - len(kept)
    assert all("MAX_BATCH_RESPONSE_BYTES" in a["error"]["message"] for a in refused)
    assert answers[:len(kept)] == kept  # the limit cuts the tail, in order


def test_request_timeout_bounds_the_whole_batch(tight):
    session = tight.initialize("2025-03-26")
    started = time.monotonic()
    answers = post_batch(session, [slow(1, 0.7), slow(2, 0.7), echo(3)]).json()
    assert time.monotonic() - started < 3
    assert answers[0]["result"]["content"][0]["text"] == "slept"
    assert answers[1]["error"]["message"] == "Request timed out"
    assert answers[2]["error"]["message"] == "Request timed out"


@pytest.mark.parametrize("version", ["2025-03-26", "2025-11-25"])
def test_deleting_a_session_cancels_its_running_requests(raw, version):
    session, observer = raw.initialize(version), raw.initialize()
    token = uuid.uuid4().hex
    item = slow_item(token)
    item["params"]["arguments"]["seconds"] = 30
    post = BackgroundPost(raw.url, session.headers(), item)
    wait_status(observer, token, "running")
    assert session.delete().status_code == 200
    wait_status(observer, token, "cancelled")
    post.wait(10)


def flood_request(url: str, body: dict[str, Any], headers: dict[str, str]) -> socket.socket:
    """Send one POST on a raw socket and never read the answer."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    payload = json.dumps(body).encode()
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}",
            f"Content-Length: {len(payload)}"] + [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
    return sock


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_a_stream_nobody_reads_is_closed_and_its_request_handled(tight, raw, version):
    """Past STREAM_BUFFER_BYTES waiting, the stream ends: a 2025-06-18 request ends with it; a
    2025-11-25 one (resumable) goes on into its stream's log. Either way the server holds at
    most about the limit, not the flood."""
    session, observer = tight.initialize(version), raw.initialize()
    session.request("logging/setLevel", {"level": "info"})
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "test_flood", "arguments": {"token": token, "count": 20000, "size": 1000}}}
    sock = flood_request(tight.url, body, {**session.headers(), "Accept": ACCEPT_BOTH})
    try:
        wait_status(observer, token, "cancelled" if version == "2025-06-18" else "finished",
                    seconds=30)
        received = read_what_is_left(sock)
    finally:
        sock.close()
    assert received < 20000 * 1000 // 10, received  # the flood was dropped, not buffered
    assert session.request("ping").result == {}  # the session itself is fine


def read_what_is_left(sock: socket.socket, seconds: float = 30) -> int:
    """Bytes the server still sends once the client reads again (until it pauses or ends)."""
    sock.settimeout(2)
    received, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 20)
        except (TimeoutError, ConnectionResetError):
            return received
        if not chunk:
            return received
        received += len(chunk)
    return received
