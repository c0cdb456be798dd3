"""Handshake-era sessions over real HTTP: initialize, session rules, streams (checklist §2)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.e2e.helpers import ACCEPT_BOTH
from tests.wire import parse_sse

LEGACY = ["2025-03-26", "2025-06-18", "2025-11-25"]


@pytest.mark.parametrize("version", LEGACY)
def test_initialize_negotiates_and_mints_a_session(raw, version):
    """L-12, L-13, L-14, L-23, L-24."""
    session = raw.initialize(version)
    assert session.version == version
    assert len(session.id) == 32 and all(0x21 <= ord(c) <= 0x7E for c in session.id)


def test_initialize_for_a_modern_version_answers_the_newest_legacy_one(raw):
    """V-16."""
    assert raw.initialize("2026-07-28").version == "2025-11-25"


@pytest.mark.parametrize("version", LEGACY)
def test_session_serves_every_feature_in_its_revision_shape(raw, version):
    """L-50, L-53, L-56, L-60..L-68, L-63; every message validated against the revision."""
    session = raw.initialize(version)
    assert session.request("ping").result == {}
    assert session.request("logging/setLevel", {"level": "debug"}).result == {}
    tools = session.request("tools/list").result["tools"]
    assert "ttlMs" not in session.request("tools/list").result
    if version == "2025-03-26":
        assert all("outputSchema" not in tool and "title" not in tool for tool in tools)
    assert session.request("tools/call", {"name": "echo", "arguments": {"text": "x"}}
                           ).result["content"][0]["text"] == "x"
    assert session.request("resources/read", {"uri": "test://static-binary"}
                           ).result["contents"][0]["blob"]
    assert session.request("resources/subscribe", {"uri": "test://watched-resource"}).result == {}
    assert session.request("resources/unsubscribe", {"uri": "test://watched-resource"}
                           ).result == {}
    assert session.request("prompts/get", {"name": "test_prompt_with_image"}).result["messages"]
    missing = session.request("resources/read", {"uri": "test://missing"})
    assert missing.error["code"] == -32002  # C-8


def test_progress_and_logs_stream_on_the_post_with_priming_event(raw):
    """L-32, L-52, L-53: 2025-11-25 streams start with an id'd empty event carrying retry."""
    session = raw.initialize("2025-11-25")
    session.request("logging/setLevel", {"level": "info"})
    answer = session.request("tools/call", {"name": "test_tool_with_logging", "arguments": {},
                                            "_meta": {"progressToken": 7}})
    body = answer.response.text
    assert body.startswith("id: ") and "retry: " in body.split("\n\n")[0]
    logs = [n["params"]["data"] for n in answer.notifications("notifications/message")]
    assert logs == ["Tool execution started", "Tool processing data", "Tool execution completed"]
    assert answer.final["result"]["content"][0]["text"] == "Logging test completed"


def test_older_revisions_get_no_priming_event(raw):
    """C-7."""
    session = raw.initialize("2025-06-18")
    answer = session.request("tools/call", {"name": "test_tool_with_progress", "arguments": {},
                                            "_meta": {"progressToken": "p"}})
    assert answer.response.text.startswith("event: message")
    assert len(answer.notifications("notifications/progress")) == 3


def test_unknown_method_in_a_session_is_200(raw):
    """V-14, C-4: never 404 (that means 'session gone')."""
    session = raw.initialize()
    answer = session.request("server/discover")
    assert answer.status == 200 and answer.error["code"] == -32601


def test_second_initialize_on_a_live_session_is_rejected(raw):
    """L-22."""
    session = raw.initialize()
    body = {"jsonrpc": "2.0", "id": 5, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "x", "version": "1"}}}
    answer = raw.send(body, session.headers())
    assert answer.status == 400 and answer.error["code"] == -32600 and answer.final["id"] == 5


def test_delete_ends_the_session(raw):
    """L-18, L-16."""
    session = raw.initialize()
    assert session.delete().status_code == 200
    assert session.request("ping").status == 404
    assert session.delete().status_code == 404


def test_batch_in_a_2025_03_26_session(raw):
    """L-11, V-18."""
    session = raw.initialize("2025-03-26")
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"},
             {"jsonrpc": "2.0", "method": "notifications/progress",
              "params": {"progressToken": 1, "progress": 1}},
             {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
              "params": {"name": "echo", "arguments": {"text": "b"}}}]
    answer = raw.send(batch, session.headers())
    assert answer.status == 200
    assert [m["id"] for m in answer.messages] == [1, 2]
    only_notifications = raw.send([batch[1]], session.headers())
    assert only_notifications.status == 202


def test_get_stream_is_sse_and_closes_when_the_session_ends(raw):
    """L-35, L-32: a live GET stream ends as soon as the session is deleted."""
    session = raw.initialize("2025-11-25")
    received: list[str] = []

    def follow() -> None:
        with httpx.stream("GET", raw.url, headers={**session.headers(), "Accept":
                                                   "text/event-stream"}, timeout=20) as response:
            received.append(response.headers["content-type"])
            for chunk in response.iter_text():
                received.append(chunk)

    reader = threading.Thread(target=follow)
    reader.start()
    time.sleep(0.5)
    started = time.monotonic()
    session.delete()
    reader.join(timeout=10)
    assert not reader.is_alive(), "the GET stream did not close after DELETE"
    assert time.monotonic() - started < 5
    assert received[0] == "text/event-stream" and received[1].startswith("id: ")


def test_get_without_event_stream_accept_is_406(raw):
    """L-36."""
    session = raw.initialize()
    response = raw.http.get(raw.url, headers={**session.headers(), "Accept": "application/json"})
    assert response.status_code == 406


def test_notifications_cancelled_stops_the_request(raw):
    """L-51: the cancelled request sends no response."""
    session = raw.initialize("2025-06-18")
    result: dict[str, object] = {}

    def call() -> None:
        body = {"jsonrpc": "2.0", "id": "slow-1", "method": "tools/call",
                "params": {"name": "test_slow", "arguments": {"seconds": 10}}}
        with httpx.Client(timeout=20) as http:
            result["response"] = http.post(raw.url, json=body, headers=session.headers())

    caller = threading.Thread(target=call)
    started = time.monotonic()
    caller.start()
    time.sleep(0.5)
    session.notify("notifications/cancelled", {"requestId": "slow-1", "reason": "test"})
    caller.join(timeout=8)
    assert not caller.is_alive()
    assert time.monotonic() - started < 5
    response = result["response"]
    assert all("slow-1" != m.get("id") for m in parse_sse(response.text))


def test_legacy_header_mismatch_with_unserved_version_is_400(raw):
    """L-7."""
    session = raw.initialize()
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    response = raw.http.post(raw.url, json=body, headers=session.headers(
        **{"MCP-Protocol-Version": "banana"}))
    assert response.status_code == 400


def test_accept_header_must_list_both_types(raw):
    """L-5."""
    session = raw.initialize()
    response = raw.http.post(raw.url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                             headers={**session.headers(), "Accept": "application/json"})
    assert response.status_code == 406
    assert ACCEPT_BOTH
