"""The ASGI fast path: JSON or SSE, priming events, keep-alives and REQUEST_TIMEOUT."""

from __future__ import annotations

import pytest

from demo_project.conformance import conformance
from mcp_django.core.errors import RequestTimeout
from tests.e2e.helpers import MODERN
from tests.project.variants import SLOW_STATES, json_only, short
from tests.transport.asgi_client import (
    initialize,
    is_final,
    legacy_call,
    modern_call,
    new_token,
    post,
    settled_state,
    sse_events,
)
from tests.wire import validate_message

pytestmark = pytest.mark.asyncio

PATH = "/conformance/mcp"


async def test_modern_call_is_one_json_body_when_the_tool_returns_before_emitting():
    body, headers = modern_call("test_simple_text", {})
    reply = await (await post(conformance.asgi, body, headers, PATH)).read_all()
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert reply.headers["content-length"] == str(len(reply.body))
    [message] = reply.messages
    assert message["id"] == body["id"]
    validate_message(message, MODERN, "tools/call")


async def test_modern_call_streams_progress_then_the_response_when_the_tool_reports():
    body, headers = modern_call("test_tool_with_progress", {}, progressToken="p-1")
    exchange = await post(conformance.asgi, body, headers, PATH)
    reply = await exchange.read_all()
    assert reply.status == 200 and reply.content_type == "text/event-stream"
    assert "content-length" not in reply.headers
    messages = reply.messages
    assert [m["params"]["progress"] for m in messages[:-1]] == [0, 50, 100]
    assert all(m["method"] == "notifications/progress" and m["params"]["progressToken"] == "p-1"
               for m in messages[:-1])
    assert is_final(messages[-1]) and messages[-1]["id"] == body["id"]
    assert messages[-1]["result"]["content"][0]["text"] == "Progress test completed"
    assert not any("id" in event or "retry" in event for event in sse_events(exchange.text))
    for message in messages:
        validate_message(message, MODERN, "tools/call")


async def test_modern_call_is_json_without_progress_when_json_response_is_on():
    body, headers = modern_call("test_tool_with_progress", {}, progressToken="p-2")
    reply = await (await post(json_only.asgi, body, headers, "/json/mcp")).read_all()
    assert reply.status == 200 and reply.content_type == "application/json"
    [message] = reply.messages
    assert message["result"]["content"][0]["text"] == "Progress test completed"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
async def test_legacy_progress_stream_starts_with_priming_only_from_2025_11_25(version: str):
    headers = await initialize(conformance.asgi, version)
    body = legacy_call("test_tool_with_progress", {}, progress_token="p-3")
    exchange = await post(conformance.asgi, body, headers, PATH)
    reply = await exchange.read_all()
    assert reply.status == 200 and reply.content_type == "text/event-stream"
    events = sse_events(exchange.text)
    data_events = [event for event in events if event.get("data")]
    assert [m.get("method") for m in reply.messages] == ["notifications/progress"] * 3 + [None]
    assert reply.messages[-1]["result"]["content"][0]["text"] == "Progress test completed"
    if version == "2025-11-25":
        priming = events[0]
        assert priming.get("id") and priming.get("retry", "").isdigit(), events[0]
        assert priming.get("data") == ""
        assert all(event.get("id") for event in data_events)
    else:
        assert all("id" not in event and "retry" not in event for event in events), events
    for message in reply.messages:
        validate_message(message, version, "tools/call")


async def test_slow_call_opens_a_stream_with_a_keepalive_comment_on_the_short_server():
    """`short` keeps alive every 0.5 s; the tool needs 0.7 s (its timeout is 1 s)."""
    token = new_token()
    body, headers = modern_call("test_slow", {"seconds": 0.7, "token": token})
    exchange = await post(short.asgi, body, headers, "/short/mcp")
    assert await exchange.start() == 200
    assert exchange.headers["content-type"] == "text/event-stream"
    first = await exchange.chunk()
    assert first.startswith(b":"), first
    messages = await exchange.read_until(lambda found: any(map(is_final, found)))
    assert messages[-1]["id"] == body["id"]
    assert messages[-1]["result"]["content"][0]["text"] == "slept"
    assert SLOW_STATES[token] == "finished"


async def test_call_past_request_timeout_is_answered_with_the_timeout_error():
    """`short` has REQUEST_TIMEOUT=1: a 3 s call ends with -32603 "Request timed out"."""
    token = new_token()
    body, headers = modern_call("test_slow", {"seconds": 3, "token": token})
    exchange = await post(short.asgi, body, headers, "/short/mcp")
    messages = await exchange.read_until(lambda found: any(map(is_final, found)), timeout=2.5)
    final = messages[-1]
    assert final["id"] == body["id"]
    assert final["error"]["code"] == RequestTimeout.code
    assert final["error"]["message"] == RequestTimeout.default_message
    assert await settled_state(token, timeout=1.0) == "cancelled"
    await exchange.read_all()
    await exchange.finished()
