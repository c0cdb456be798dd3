"""Policy: who is calling and whether they may call now (authenticate, then throttle; DRF order)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .integrations.auth import Unauthorized, metadata_url
from .sessions.cachecall import make_cache_caller
from .transport.http import HttpError, IncomingRequest

THROTTLED = -32000
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@runtime_checkable
class Authenticator(Protocol):
    """An `AUTHENTICATION_CLASSES` entry: the caller's Django user, or None when the request
    carries nothing this class recognises. Raise `Unauthorized` (401) or another `HttpError`
    for a credential it recognises but refuses. Constructed once per server: with
    `from_settings(settings)` when the class defines it, else with no arguments."""

    async def authenticate(self, request: IncomingRequest) -> Any: ...


@runtime_checkable
class Throttle(Protocol):
    """A `THROTTLE_CLASSES` entry: None to let the request through, else the seconds the
    caller should wait. Runs after authentication; constructed like an authenticator."""

    async def allow(self, request: IncomingRequest, principal: Any) -> float | None: ...


class Throttled(HttpError):
    def __init__(self, wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        super().__init__(429, f"Too many requests: retry in {seconds} s",
                         {"Retry-After": str(seconds)}, code=THROTTLED,
                         data={"retryAfter": seconds})


def principal_key(principal: Any) -> str:
    """`user:<pk>` for a Django user, `anonymous` otherwise: what sessions and tasks bind to."""
    pk = getattr(principal, "pk", None)
    return f"user:{pk}" if pk is not None else "anonymous"


def build(paths: Sequence[str], settings: Mapping[str, Any], setting: str) -> list[Any]:
    """Instantiate each dotted path, naming the setting when one cannot be imported."""
    built = []
    for path in paths:
        try:
            cls = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"MCP_DJANGO[{setting!r}]: cannot import {path!r}: "
                                       f"{exc}") from exc
        factory = getattr(cls, "from_settings", None)
        built.append(factory(settings) if factory is not None else cls())
    return built


class Policy:
    """Runs the authenticators, then the throttles, for every request of one server."""

    def __init__(self, authenticators: Sequence[Authenticator], throttles: Sequence[Throttle],
                 allow_anonymous: bool) -> None:
        self.authenticators = tuple(authenticators)
        self.throttles = tuple(throttles)
        self.allow_anonymous = allow_anonymous

    async def admit(self, request: IncomingRequest) -> Any:
        principal = await self.authenticate(request)
        for throttle in self.throttles:
            wait = await throttle.allow(request, principal)
            if wait is not None:
                raise Throttled(wait)
        return principal

    async def authenticate(self, request: IncomingRequest) -> Any:
        """The first class's user; without one, None when anonymous callers are allowed,
        else 401 pointing at the resource metadata (2025-11-25 authorization §2.3)."""
        for authenticator in self.authenticators:
            principal = await authenticator.authenticate(request)
            if principal is not None:
                return principal
        if "authorization" in request.headers:  # a credential nobody accepts is never anonymous
            raise Unauthorized(metadata_url(request), "invalid_token")
        if self.allow_anonymous:
            return None
        raise Unauthorized(metadata_url(request))


def parse_rate(rate: str) -> tuple[int, int]:
    """`"120/minute"` → (120, 60)."""
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip().lower().rstrip("s"))
    if not count.strip().isdigit() or seconds is None or int(count) < 1:
        raise ImproperlyConfigured(f"MCP_DJANGO['THROTTLE_RATE'] {rate!r} is not "
                                   "'<n>/<second|minute|hour|day>'")
    return int(count), seconds


class RateThrottle:
    """`THROTTLE_RATE` requests per principal (per client address when anonymous) per window,
    counted in the `THROTTLE_CACHE_ALIAS` cache, so every worker sharing it shares the count."""

    def __init__(self, rate: str = "120/minute", alias: str = "default", server: str = "",
                 deployment: str = "") -> None:
        self.limit, self.window = parse_rate(rate)
        self.call = make_cache_caller(caches[alias], deployment)  # keys under DEPLOYMENT_KEY
        self.prefix = f"mcp_django:throttle:{server}:"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RateThrottle:
        return cls(settings["THROTTLE_RATE"], settings["THROTTLE_CACHE_ALIAS"],
                   getattr(settings, "server", ""), settings.get("DEPLOYMENT_KEY", ""))

    async def allow(self, request: IncomingRequest, principal: Any) -> float | None:
        """A window opens at a caller's first request and lasts `window` seconds."""
        key = self.prefix + self.who(request, principal)
        now = time.time()
        if await self.call("add", key, 0, self.window):
            await self.call("set", key + ":start", now, self.window)
        try:
            count = await self.call("incr", key)
        except ValueError:  # expired between add and incr: this is a new window's first call
            await self.call("set", key, 1, self.window)
            await self.call("set", key + ":start", now, self.window)
            count = 1
        if count <= self.limit:
            return None
        start = await self.call("get", key + ":start")
        return (start if isinstance(start, float) else now) + self.window - now

    @staticmethod
    def who(request: IncomingRequest, principal: Any) -> str:
        if getattr(principal, "pk", None) is not None:
            return principal_key(principal)
        client = request.scope.get("client") or ("unknown", 0)
        return f"addr:{client[0]}"
