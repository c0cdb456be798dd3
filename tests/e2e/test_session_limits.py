"""Hostile sessions: floods cannot evict others, MAX_SESSIONS, and per-session size limits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_django.models import McpSession
from tests.e2e.helpers import ACCEPT_BOTH, Answer, RawClient
from tests.e2e.test_auth import bearer, token_for

FLOOD = 450  # past the 300 entries of Django's default local-memory cache
_ids = itertools.count(1)


@pytest.fixture
def limited(live_mcp_server) -> Iterator[RawClient]:
    """MAX_SESSIONS=3, MAX_SUBSCRIPTIONS=2, MAX_URI_LENGTH=64, MAX_CLIENT_INFO_BYTES=512."""
    client = RawClient(live_mcp_server.url + "/limited/mcp")
    yield client
    client.close()


@pytest.fixture
def secure(live_mcp_server) -> Iterator[RawClient]:
    client = RawClient(live_mcp_server.url + "/secure/mcp")
    yield client
    client.close()


def initialize(client: RawClient, client_info: Any = None, capabilities: Any = None) -> Answer:
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": capabilities or {},
                       "clientInfo": client_info or {"name": "flood", "version": "1"}}}
    return client.send(body, {"Content-Type": "application/json", "Accept": ACCEPT_BOTH})


def test_anonymous_initializes_do_not_evict_an_authenticated_session(secure, raw):
    """An editor's session survives a flood of anonymous sessions on another server."""
    secure.http.headers.update(bearer(token_for("editor")))
    editor = secure.initialize("2025-11-25")
    assert editor.request("ping").status == 200
    for _ in range(FLOOD):
        assert initialize(raw).status == 200
    assert editor.request("ping").status == 200
    assert editor.request("tools/list").status == 200


def test_initialize_past_max_sessions_is_503_and_evicts_nobody(limited):
    sessions = [limited.initialize("2025-11-25") for _ in range(3)]
    refused = initialize(limited)
    assert refused.status == 503
    assert refused.response.headers["retry-after"].isdigit()
    assert "mcp-session-id" not in refused.response.headers
    assert "MAX_SESSIONS (3)" in refused.error["message"]
    assert all(session.request("ping").status == 200 for session in sessions)
    assert sessions[0].delete().status_code == 200
    assert initialize(limited).status == 200  # a terminated session frees its place


@pytest.mark.parametrize("field", ["clientInfo", "capabilities"])
def test_initialize_with_oversized_client_info_is_invalid_and_creates_no_session(limited, field):
    huge = {"name": "x" * 600, "version": "1"} if field == "clientInfo" else None
    capabilities = {"experimental": {"blob": "y" * 600}} if field == "capabilities" else None
    answer = initialize(limited, client_info=huge, capabilities=capabilities)
    assert answer.error["code"] == -32602
    assert "MAX_CLIENT_INFO_BYTES (512 bytes)" in answer.error["message"]
    assert "mcp-session-id" not in answer.response.headers
    assert not McpSession.objects.filter(server="limited").exists()


def test_subscribe_refuses_long_uris_and_too_many_subscriptions(limited):
    session = limited.initialize("2025-11-25")
    long = session.request("resources/subscribe", {"uri": "test://" + "x" * 64})
    assert long.error["code"] == -32602
    assert "MAX_URI_LENGTH (64 characters)" in long.error["message"]
    for uri in ("test://a", "test://b", "test://a"):  # subscribing twice takes no new place
        assert session.request("resources/subscribe", {"uri": uri}).result == {}
    third = session.request("resources/subscribe", {"uri": "test://c"})
    assert third.error["code"] == -32602 and "MAX_SUBSCRIPTIONS (2)" in third.error["message"]
    assert session.request("resources/unsubscribe", {"uri": "test://a"}).result == {}
    assert session.request("resources/subscribe", {"uri": "test://c"}).result == {}
