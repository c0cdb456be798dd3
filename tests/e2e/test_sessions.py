"""Session binding and lifetime, and the Origin allow-list, against the live server."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import RawClient


def test_a_session_is_unknown_on_another_servers_path(raw, raw_json):
    """L-20/L-21 spirit: a session belongs to the server (and principal) that made it."""
    session = raw.initialize()
    foreign = raw_json.http.post(raw_json.url, json={"jsonrpc": "2.0", "id": 1,
                                                      "method": "ping"},
                                 headers=session.headers())
    assert foreign.status_code == 404
    assert session.request("ping").status == 200


def test_an_expired_session_gets_404(raw_short):
    """L-16: the short server's SESSION_TTL is one second."""
    session = raw_short.initialize()
    assert session.request("ping").status == 200
    time.sleep(1.5)
    assert session.request("ping").status == 404


def test_requests_slide_the_session_ttl(raw_short):
    session = raw_short.initialize()
    for _ in range(4):
        time.sleep(0.4)
        assert session.request("ping").status == 200


@pytest.mark.parametrize("origin, status", [
    ("https://allowed.example", 200),     # MCP_DJANGO["ALLOWED_ORIGINS"]
    (None, 200),                          # same origin, computed from Host below
    ("https://allowed.example.evil", 403),
    ("null", 403),
])
def test_origin_allow_list(raw: RawClient, live_mcp_server, origin, status):
    """L-1: an Origin that is neither allow-listed nor the server's own is refused."""
    headers = {"Origin": origin or live_mcp_server.url}
    answer = raw.modern("tools/list", headers=headers)
    assert answer.status == status
