"""Authentication at the edge: bearer tokens, 401 with fetchable metadata, principal binding."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from mcp_django.models import McpToken
from tests.e2e.helpers import RawClient


@pytest.fixture
def secure(live_mcp_server):
    client = RawClient(live_mcp_server.url + "/secure/mcp")
    yield client
    client.close()


def token_for(username: str, **options) -> str:
    user = get_user_model().objects.create_user(username, password="x")
    return McpToken.issue(user, f"{username}'s laptop", **options)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_pointing_at_fetchable_metadata(secure, live_mcp_server):
    """A-4, A-2, A-3."""
    answer = secure.modern("tools/list")
    assert answer.status == 401
    challenge = answer.response.headers["www-authenticate"]
    url = challenge.split('resource_metadata="')[1].split('"')[0]
    assert url == live_mcp_server.url + "/.well-known/oauth-protected-resource/secure/mcp"
    metadata = httpx.get(url).json()
    assert metadata["resource"] == live_mcp_server.url + "/secure/mcp"
    assert metadata["authorization_servers"] and metadata["bearer_methods_supported"] == ["header"]
    legacy = secure.http.post(secure.url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                                "params": {"protocolVersion": "2025-11-25",
                                                           "capabilities": {}, "clientInfo": {
                                                               "name": "x", "version": "1"}}},
                              headers={"Accept": "application/json, text/event-stream"})
    assert legacy.status_code == 401  # the same answer in both eras


@pytest.mark.parametrize("header", ["Bearer mcp_nope_nope", "Bearer", "Basic dXNlcjpwYXNz",
                                    "Bearer mcp_0123456789ab_wrong"])
def test_bad_credentials_are_401_invalid(secure, header):
    answer = secure.modern("tools/list", headers={"Authorization": header})
    assert answer.status == 401
    assert "error=" in answer.response.headers["www-authenticate"]


def test_a_valid_token_works_and_records_its_use(secure):
    token = token_for("reader-1")
    assert secure.modern("tools/list", headers=bearer(token)).status == 200
    record = McpToken.objects.get(user__username="reader-1")
    assert record.last_used_at is not None
    assert record.secret_hash != token and token not in record.secret_hash


def test_expired_and_revoked_tokens_are_refused(secure):
    expired = token_for("old", expires_at=timezone.now() - timedelta(minutes=1))
    assert secure.modern("tools/list", headers=bearer(expired)).status == 401
    revoked = token_for("gone")
    McpToken.objects.filter(user__username="gone").update(revoked_at=timezone.now())
    assert secure.modern("tools/list", headers=bearer(revoked)).status == 401


def test_a_session_is_bound_to_the_user_who_made_it(secure):
    """L-20: another user's token with a valid session id gets the same 404 as an unknown id."""
    alice, bob = token_for("alice"), token_for("bob")
    secure.http.headers.update(bearer(alice))
    session = secure.initialize("2025-11-25")
    assert session.request("ping").status == 200
    secure.http.headers.update(bearer(bob))
    assert session.request("ping").status == 404
    secure.http.headers.pop("Authorization")
    assert session.request("ping").status == 401
