"""The ASGI fast path when the client goes away: what is cancelled, what keeps running."""

from __future__ import annotations

import pytest

from demo_project.conformance import conformance
from tests.project.variants import SLOW_STATES
from tests.transport.asgi_client import (
    Exchange,
    encode,
    initialize,
    is_final,
    legacy_call,
    modern_call,
    modern_request,
    new_token,
    post,
    settled_state,
    sse_events,
    started,
)

pytestmark = pytest.mark.asyncio

PATH = "/conformance/mcp"
ACKNOWLEDGED = "notifications/subscriptions/acknowledged"


def has_progress(messages: list[dict]) -> bool:
    return any(m.get("method") == "notifications/progress" for m in messages)


async def test_modern_call_is_cancelled_when_the_client_disconnects_before_any_answer():
    token = new_token()
    body, headers = modern_call("test_slow", {"seconds": 30, "token": token})
    exchange = await post(conformance.asgi, body, headers, PATH)
    await started(token)
    await exchange.disconnect()
    assert await settled_state(token) == "cancelled"
    await exchange.finished()
    assert exchange.nothing_left(), "the app answered a client that had gone"


async def test_modern_call_is_cancelled_when_the_client_drops_its_open_stream():
    token = new_token()
    body, headers = modern_call("test_slow", {"seconds": 30, "token": token},
                                progressToken="drop")
    exchange = await post(conformance.asgi, body, headers, PATH)
    await exchange.read_until(has_progress)
    await exchange.disconnect()
    assert await settled_state(token) == "cancelled"
    await exchange.finished()
    assert exchange.nothing_left(), "the app kept sending after the disconnect"
    assert not exchange.complete and not any(map(is_final, exchange.messages()))


@pytest.mark.django_db(transaction=True)
async def test_legacy_call_is_cancelled_when_a_2025_06_18_stream_is_dropped():
    headers = await initialize(conformance.asgi, "2025-06-18")
    token = new_token()
    body = legacy_call("test_slow", {"seconds": 30, "token": token}, progress_token="drop")
    exchange = await post(conformance.asgi, body, headers, PATH)
    await exchange.read_until(has_progress)
    await exchange.disconnect()
    assert await settled_state(token) == "cancelled"
    await exchange.finished()
    assert exchange.nothing_left()


@pytest.mark.django_db(transaction=True)
async def test_legacy_call_keeps_running_when_a_2025_11_25_stream_is_dropped():
    """The stream is resumable (Last-Event-ID), so dropping it is not a cancel (L-34)."""
    headers = await initialize(conformance.asgi, "2025-11-25")
    token = new_token()
    body = legacy_call("test_slow", {"seconds": 0.5, "token": token}, progress_token="keep")
    exchange = await post(conformance.asgi, body, headers, PATH)
    await exchange.read_until(has_progress)
    assert sse_events(exchange.text)[0].get("id"), "not a resumable (primed) stream"
    await exchange.disconnect()
    await exchange.finished()
    assert await settled_state(token) == "finished"
    assert exchange.nothing_left()


async def test_listen_stream_is_acknowledged_first_and_ended_by_a_disconnect():
    body, headers = modern_request("subscriptions/listen",
                                   {"notifications": {"toolsListChanged": True}})
    layer = conformance.runtime.groups.layer()
    group = conformance.runtime.groups.changes

    def listeners() -> int:
        return len(layer.groups.get(group, {}))

    before = listeners()
    exchange = await post(conformance.asgi, body, headers, PATH)
    messages = await exchange.read_until(bool)
    assert exchange.status == 200 and exchange.headers["content-type"] == "text/event-stream"
    assert messages[0]["method"] == ACKNOWLEDGED
    assert messages[0]["params"]["notifications"] == {"toolsListChanged": True}
    assert listeners() == before + 1
    await exchange.disconnect()
    await exchange.finished()
    assert not exchange.complete, "the stream was ended by the server, not the disconnect"
    assert listeners() == before, "the stream still listens after the disconnect"
    assert exchange.nothing_left()


async def test_disconnect_before_the_body_is_complete_ends_quietly():
    """A body that never completes is never run; the app ends without raising."""
    token = new_token()
    body, headers = modern_call("test_slow", {"seconds": 0, "token": token})
    exchange = Exchange(conformance.asgi, headers, PATH)
    await exchange.send_body(encode(body), more_body=True)  # a whole call, but more is promised
    await exchange.disconnect()
    await exchange.finished()
    sent = []
    while not exchange.nothing_left():
        sent.append(await exchange.receive())
    if sent:  # answering a gone client is allowed, but only with one closed response
        assert sent[0]["type"] == "http.response.start", sent
        assert [m.get("more_body", False) for m in sent[1:]] == [False], sent
    assert token not in SLOW_STATES, "the incomplete request was dispatched"
