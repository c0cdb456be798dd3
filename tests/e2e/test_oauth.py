"""OAuth 2.1 resource-server mode: django-oauth-toolkit tokens, audience (RFC 8707), scopes."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tests.e2e.helpers import RawClient


@pytest.fixture
def oauth(live_mcp_server):
    client = RawClient(live_mcp_server.url + "/oauth/mcp")
    yield client
    client.close()


def access_token(resource: list[str], scope: str = "mcp", minutes: int = 10) -> str:
    user = get_user_model().objects.create_user(f"oauth-{AccessToken.objects.count()}")
    app = Application.objects.create(name="client", client_type="public",
                                     authorization_grant_type="authorization-code",
                                     redirect_uris="http://127.0.0.1/cb")
    token = f"dot-{user.pk}-{timezone.now().timestamp()}"
    AccessToken.objects.create(user=user, application=app, token=token, scope=scope,
                               expires=timezone.now() + timedelta(minutes=minutes),
                               resource=resource)
    return token


def call(client: RawClient, token: str):
    return client.modern("tools/list", headers={"Authorization": f"Bearer {token}"})


def test_metadata_names_the_authorization_server(oauth, live_mcp_server):
    challenge = oauth.modern("tools/list").response.headers["www-authenticate"]
    url = challenge.split('resource_metadata="')[1].split('"')[0]
    metadata = httpx.get(url).json()
    assert metadata["authorization_servers"] == ["https://auth.example"]
    assert metadata["scopes_supported"] == ["mcp"]
    assert metadata["resource"] == live_mcp_server.url + "/oauth/mcp"


def test_a_token_for_this_resource_is_accepted(oauth, live_mcp_server):
    assert call(oauth, access_token([live_mcp_server.url + "/oauth/mcp"])).status == 200


def test_a_token_for_another_resource_is_refused(oauth):
    """A-7, A-9: audience check."""
    answer = call(oauth, access_token(["https://other.example/mcp"]))
    assert answer.status == 401 and 'error="invalid_token"' in \
        answer.response.headers["www-authenticate"]


def test_expired_tokens_and_missing_scopes(oauth, live_mcp_server):
    resource = [live_mcp_server.url + "/oauth/mcp"]
    assert call(oauth, access_token(resource, minutes=-1)).status == 401
    narrow = call(oauth, access_token(resource, scope="read"))
    assert narrow.status == 403
    assert 'error="insufficient_scope", scope="mcp"' in narrow.response.headers["www-authenticate"]


def test_our_own_tokens_are_not_accepted_where_only_oauth_is_configured(oauth):
    assert call(oauth, "mcp_0123456789ab_notatoken").status == 401
