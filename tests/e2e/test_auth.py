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
    assert metadata["bearer_methods_supported"] == ["header"]
    assert "authorization_servers" not in metadata  # none configured: none advertised
    assert "mcp_token create" in answer.error["message"]  # the 401 says what to do
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


# -- the Django session cookie (SessionAuthentication) -------------------------------------------
def logged_in(user, backend: str = "django.contrib.auth.backends.ModelBackend",
              auth_hash: str | None = None) -> str:
    """A session key for `user`, stored as `django.contrib.auth.login` stores it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = auth_hash or user.get_session_auth_hash()
    store.save()
    return store.session_key


def cookie(session_key: str, origin: str) -> dict[str, str]:
    from django.conf import settings

    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}", "Origin": origin}


def test_a_session_cookie_serves_the_users_tools_until_the_password_changes(secure,
                                                                           live_mcp_server):
    user = get_user_model().objects.create_superuser("cookie-editor", password="before")
    headers = cookie(logged_in(user), live_mcp_server.url)
    answer = secure.modern("tools/list", headers=headers)
    assert answer.status == 200
    assert "book_create" in {tool["name"] for tool in answer.result["tools"]}
    user.set_password("after")
    user.save()
    assert secure.modern("tools/list", headers=headers).status == 401


def test_a_session_cookie_without_a_valid_auth_hash_is_refused(secure, live_mcp_server):
    """What `django.contrib.auth.get_user` refuses: no hash, or an unknown backend."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY

    user = get_user_model().objects.create_superuser("cookie-forger", password="x")
    store = import_module(settings.SESSION_ENGINE).SessionStore(logged_in(user))
    del store[HASH_SESSION_KEY]
    store.save()
    assert secure.modern("tools/list",
                         headers=cookie(store.session_key, live_mcp_server.url)).status == 401
    foreign = logged_in(user, backend="somewhere.else.Backend")
    assert secure.modern("tools/list", headers=cookie(foreign, live_mcp_server.url)).status == 401


def test_a_session_hash_made_with_a_fallback_secret_key_is_accepted():
    """Django 5.x rotates SECRET_KEY through SECRET_KEY_FALLBACKS without logging users out."""
    from asgiref.sync import async_to_sync
    from django.test import override_settings

    from mcp_django.integrations.auth import SessionAuthentication
    from mcp_django.transport.http import IncomingRequest

    user = get_user_model().objects.create_user("rotated", password="x")
    old_hash = user.get_session_auth_hash()  # with the test settings' SECRET_KEY
    authenticate = async_to_sync(SessionAuthentication().authenticate)
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=["tests-only-secret-key"]):
        key = logged_in(user, auth_hash=old_hash)  # the session itself signed with the new key
        request = IncomingRequest("POST", {"cookie": f"sessionid={key}"})
        assert authenticate(request) == user
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[]):
        assert authenticate(request) is None  # the old key is retired: the hash is stale


# -- the scheme of the metadata URL and the OAuth audience ----------------------------------------
def test_a_spoofed_forwarded_proto_changes_neither_the_challenge_nor_the_metadata(
        secure, live_mcp_server):
    spoofed = {"X-Forwarded-Proto": "https"}
    challenge = secure.modern("tools/list", headers=spoofed).response.headers["www-authenticate"]
    url = challenge.split('resource_metadata="')[1].split('"')[0]
    assert url == live_mcp_server.url + "/.well-known/oauth-protected-resource/secure/mcp"
    metadata = httpx.get(url, headers=spoofed).json()
    assert metadata["resource"] == live_mcp_server.url + "/secure/mcp"


def test_a_spoofed_forwarded_proto_does_not_change_the_oauth_audience(live_mcp_server):
    from tests.e2e.test_oauth import access_token

    https_audience = live_mcp_server.url.replace("http://", "https://") + "/oauth/mcp"
    client = RawClient(live_mcp_server.url + "/oauth/mcp")
    answer = client.modern("tools/list", headers={
        "Authorization": f"Bearer {access_token([https_audience])}", "X-Forwarded-Proto": "https"})
    client.close()
    assert answer.status == 401


def test_the_scheme_follows_secure_proxy_ssl_header_only():
    from django.test import override_settings

    from mcp_django.integrations.auth import metadata_url
    from mcp_django.transport.http import IncomingRequest

    def scheme_of(headers: dict[str, str], scope_scheme: str) -> str:
        request = IncomingRequest("POST", {"host": "testserver", **headers},
                                  scope={"scheme": scope_scheme, "path": "/secure/mcp"})
        return metadata_url(request).split("://")[0]

    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_SSL", "on")):
        assert scheme_of({"x-forwarded-ssl": "on"}, "http") == "https"   # header and value
        assert scheme_of({"x-forwarded-ssl": "off"}, "https") == "http"  # another value
        assert scheme_of({"x-forwarded-proto": "https"}, "http") == "http"  # not that header
        assert scheme_of({}, "https") == "https"  # absent: the ASGI scope's scheme


# -- open streams re-check their credential (PRINCIPAL_RECHECK_SECONDS) ---------------------------
@pytest.fixture
def rechecked(live_mcp_server):
    """ALLOW_ANONYMOUS off, PRINCIPAL_RECHECK_SECONDS=0.5, 0.5 s keep-alives."""
    client = RawClient(live_mcp_server.url + "/rechecked/mcp")
    yield client
    client.close()


def revoke(username: str) -> None:
    McpToken.objects.filter(user__username=username).update(revoked_at=timezone.now())


STREAM_END_SECONDS = 15  # the token cache (5 s) + a recheck (0.5 s), with room for a busy host


def test_a_get_stream_ends_once_its_token_is_revoked(rechecked):
    from tests.e2e.test_changes import StreamReader

    token = token_for("get-streamer")
    rechecked.http.headers.update(bearer(token))
    session = rechecked.initialize("2025-11-25")
    stream = StreamReader("GET", rechecked.url, {**session.headers(), **bearer(token),
                                                 "Accept": "text/event-stream"},
                          revision="2025-11-25")
    deadline_keepalive(stream)
    assert not stream.done.is_set()
    revoke("get-streamer")
    assert stream.done.wait(STREAM_END_SECONDS), "the GET stream outlived its revoked token"


def test_a_listen_stream_ends_with_an_error_once_its_token_is_revoked(rechecked):
    from tests.e2e.helpers import meta, modern_headers
    from tests.e2e.test_changes import StreamReader

    token = token_for("listener")
    body = {"jsonrpc": "2.0", "id": "revoked-1", "method": "subscriptions/listen",
            "params": {"notifications": {"toolsListChanged": True}, "_meta": meta()}}
    stream = StreamReader("POST", rechecked.url,
                          {**modern_headers("subscriptions/listen"), **bearer(token)}, body)
    stream.wait_for(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
    revoke("listener")
    assert stream.done.wait(STREAM_END_SECONDS), "the listen stream outlived its revoked token"
    final = stream.messages[-1]
    assert final["id"] == "revoked-1" and "no longer" in final["error"]["message"]
    stream.validate()


def deadline_keepalive(stream, seconds: float = 5) -> None:
    """Wait (deadline-polled) until the stream has carried a keep-alive: it is open."""
    import time

    deadline = time.monotonic() + seconds
    while ": keep-alive" not in stream.raw:
        assert time.monotonic() < deadline, f"no keep-alive within {seconds}s: {stream.raw!r}"
        time.sleep(0.02)

