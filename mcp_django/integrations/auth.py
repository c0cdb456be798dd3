"""Authentication: who is calling. Bearer tokens and Django sessions; 401s point at metadata."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ..transport.http import HttpError, IncomingRequest
from . import tokens

LAST_USED_THROTTLE = timedelta(seconds=60)
CACHE_SECONDS = 5.0


UNAUTHORIZED = ("Unauthorized: send 'Authorization: Bearer <token>' with a token from "
                "'manage.py mcp_token create <username>' or the admin (MCP tokens)")


class Unauthorized(HttpError):
    def __init__(self, metadata_url: str, error: str | None = None) -> None:
        challenge = f'Bearer resource_metadata="{metadata_url}"'
        if error:
            challenge += f', error="{error}"'
        super().__init__(401, UNAUTHORIZED, {"WWW-Authenticate": challenge})


def metadata_url(request: IncomingRequest) -> str:
    """Where this endpoint's RFC 9728 protected-resource metadata is served: the RFC's root
    location when the URLconf serves it there, else wherever `mcp_django.urls` is included."""
    path = request.scope.get("path", "/mcp")
    root = "/.well-known/oauth-protected-resource" + path
    try:
        resolve(root)
    except Resolver404:
        try:
            root = reverse("mcp-resource-metadata", kwargs={"resource": path.strip("/")})
        except NoReverseMatch:
            pass
    return base_url(request) + root


def base_url(request: IncomingRequest) -> str:
    """`<scheme>://<host>`: what the challenge's metadata URL and the OAuth audience use."""
    return f"{request_scheme(request)}://{request.headers.get('host', 'localhost')}"


def request_scheme(request: IncomingRequest) -> str:
    """The rule of Django's `HttpRequest.scheme`: the header `SECURE_PROXY_SSL_HEADER` names
    means https with the value given there and http with any other; without it, the ASGI
    scope's scheme. No other header counts: a client can send `X-Forwarded-Proto` itself."""
    configured = settings.SECURE_PROXY_SSL_HEADER
    if configured:
        try:
            meta_name, secure_value = configured
        except ValueError:
            raise ImproperlyConfigured("The SECURE_PROXY_SSL_HEADER setting must be a tuple "
                                       "containing two values.") from None
        value = request.headers.get(_header_name(meta_name))
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return "https" if request.scope.get("scheme") in ("https", "wss") else "http"


def _header_name(meta_name: str) -> str:
    """`HTTP_X_FORWARDED_PROTO` (a `request.META` key) → `x-forwarded-proto`."""
    return meta_name.removeprefix("HTTP_").replace("_", "-").lower()


class BearerTokenAuthentication:
    """`Authorization: Bearer mcp_<prefix>_<secret>` for an `McpToken` (admin or `mcp_token`)."""

    def __init__(self) -> None:
        self._recent: dict[str, tuple[float, Any]] = {}

    async def authenticate(self, request: IncomingRequest) -> Any:
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not tokens.split(token.strip()):
            return None  # not ours: another class may know it (or resolve_principal refuses)
        user = await self._user_for(token.strip())
        if user is None:
            raise Unauthorized(metadata_url(request), "invalid_token")
        return user

    async def _user_for(self, token: str) -> Any:
        key = tokens.hash_secret(token)
        cached = self._recent.get(key)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        user = await database_sync_to_async(_token_user, thread_sensitive=False)(token)
        if len(self._recent) > 4096:
            self._recent.clear()
        self._recent[key] = (time.monotonic(), user)
        return user


def _token_user(token: str) -> Any:
    from ..models import McpToken

    prefix = tokens.split(token)
    record = McpToken.objects.select_related("user").filter(prefix=prefix).first() \
        if prefix else None
    if record is None or not tokens.matches(token, record.secret_hash) or not record.is_usable:
        return None
    if not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_THROTTLE:
        McpToken.objects.filter(pk=record.pk).update(last_used_at=now)
    record.user.get_all_permissions()  # fill the permission cache off the event loop
    return record.user


class SessionAuthentication:
    """The Django session cookie (a same-origin browser client; Origin is checked before)."""

    async def authenticate(self, request: IncomingRequest) -> Any:
        cookie = _cookie(request.headers.get("cookie", ""), settings.SESSION_COOKIE_NAME)
        if not cookie:
            return None
        return await database_sync_to_async(_session_user, thread_sensitive=False)(cookie)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _session_user(session_key: str) -> Any:
    """What `django.contrib.auth.get_user` finds in the session, read-only: the user of a
    listed backend whose session auth hash still verifies (a password change ends it)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model, load_backend

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user_id = get_user_model()._meta.pk.to_python(store[SESSION_KEY])
        backend_path = store[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not getattr(user, "is_active", True) or not _hash_verifies(user, store):
        return None
    user.get_all_permissions()
    return user


def _hash_verifies(user: Any, store: Any) -> bool:
    """`get_user`'s check, with `SECRET_KEY_FALLBACKS`. Unlike `get_user` it changes nothing:
    it cannot send the rotated cookie, so a fallback match is accepted as it is (Django's
    next page view re-keys the session) and a mismatch is refused, not flushed."""
    from django.contrib.auth import HASH_SESSION_KEY

    if not hasattr(user, "get_session_auth_hash"):
        return True
    session_hash = store.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    fallbacks = getattr(user, "get_session_auth_fallback_hash", lambda: ())
    return any(constant_time_compare(session_hash, fallback) for fallback in fallbacks())


class OAuth2Authentication:
    """OAuth 2.1 resource-server mode with django-oauth-toolkit access tokens.

    The token must be valid, carry `MCP_DJANGO["SCOPES_SUPPORTED"]` scopes when any are set,
    and name this endpoint among its RFC 8707 resource indicators (audience, A-7). A missing
    scope is 403 `insufficient_scope` (A-5); anything else wrong is 401 `invalid_token`.
    """

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes = list(scopes or [])

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OAuth2Authentication:
        return cls(list(settings["SCOPES_SUPPORTED"]))

    async def authenticate(self, request: IncomingRequest) -> Any:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or tokens.split(token.strip()):
            return None  # not a bearer token, or one of ours (BearerTokenAuthentication)
        resource = base_url(request) + request.scope.get("path", "/mcp")
        scopes = self.scopes
        verdict, user = await database_sync_to_async(_oauth_user, thread_sensitive=False)(
            token.strip(), resource, scopes)
        if verdict == "insufficient_scope":
            raise InsufficientScope(metadata_url(request), scopes)
        if user is None:
            raise Unauthorized(metadata_url(request), "invalid_token")
        return user


class InsufficientScope(HttpError):
    def __init__(self, metadata: str, scopes: list[str]) -> None:
        challenge = (f'Bearer error="insufficient_scope", scope="{" ".join(scopes)}", '
                     f'resource_metadata="{metadata}"')
        super().__init__(403, "Forbidden: the token lacks a required scope",
                         {"WWW-Authenticate": challenge})


def _oauth_user(token: str, resource: str, scopes: list[str]) -> tuple[str, Any]:
    import hashlib

    from oauth2_provider.models import get_access_token_model

    model = get_access_token_model()
    lookup = {"token_checksum": hashlib.sha256(token.encode()).hexdigest()} \
        if hasattr(model, "token_checksum") else {"token": token}
    access = model.objects.select_related("user").filter(**lookup).first()
    if access is None or access.is_expired() or access.user is None:
        return "invalid", None
    if hasattr(access, "allows_audience") and not access.allows_audience(resource):
        return "invalid", None
    if scopes and not access.allow_scopes(scopes):
        return "insufficient_scope", None
    if not access.user.is_active:
        return "invalid", None
    access.user.get_all_permissions()
    return "ok", access.user
