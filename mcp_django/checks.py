"""System checks (ids mcp_django.E0xx / W0xx, listed in docs/checks.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register

from .conf import DEFAULTS, type_problem


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    user = getattr(settings, "MCP_DJANGO", {}) or {}
    for key in sorted(set(user) - set(DEFAULTS)):
        messages.append(Error(f"Unknown MCP_DJANGO setting {key!r}.",
                              hint="See docs/settings.md for the valid keys.",
                              id="mcp_django.E001"))
    for key in sorted(set(user) & set(DEFAULTS)):
        problem = type_problem(key, user[key])
        if problem is not None:
            messages.append(Error(f"MCP_DJANGO[{key!r}] {problem}.",
                                  hint="See docs/settings.md.", id="mcp_django.E008"))
    messages += _rate_problems(user.get("THROTTLE_RATE", DEFAULTS["THROTTLE_RATE"]))
    alias = user.get("SESSION_CACHE_ALIAS", DEFAULTS["SESSION_CACHE_ALIAS"])
    if alias not in settings.CACHES:
        messages.append(Error(f"MCP_DJANGO['SESSION_CACHE_ALIAS'] {alias!r} is not in CACHES.",
                              id="mcp_django.E003"))
    return messages


def _rate_problems(rate: Any) -> list[Any]:
    from django.core.exceptions import ImproperlyConfigured

    from .policy import parse_rate

    try:
        parse_rate(str(rate))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="mcp_django.E009")]
    return []


@register(Tags.caches)
def check_session_cache(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.core.cache import caches

    alias = (getattr(settings, "MCP_DJANGO", {}) or {}).get("SESSION_CACHE_ALIAS", "default")
    if alias not in settings.CACHES or settings.DEBUG:
        return []
    if isinstance(caches[alias], (LocMemCache, DummyCache)):
        return [Warning("MCP sessions are kept in a per-process cache.",
                        hint="With several worker processes, use a shared cache such as "
                             "django.core.cache.backends.redis.RedisCache.",
                        id="mcp_django.W001")]
    return []


@register(Tags.security)
def check_origins(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    origins = (getattr(settings, "MCP_DJANGO", {}) or {}).get("ALLOWED_ORIGINS", [])
    if "*" in settings.ALLOWED_HOSTS and not origins:
        return [Warning("ALLOWED_HOSTS contains '*': the MCP endpoint accepts any Host header.",
                        hint="List your hosts, so DNS-rebinding protection can work.",
                        id="mcp_django.W002")]
    return []


@register(Tags.compatibility)
def check_channel_layer(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    layers = getattr(settings, "CHANNEL_LAYERS", {}) or {}
    backend = (layers.get("default") or {}).get("BACKEND", "")
    if settings.DEBUG or (backend and not backend.endswith("InMemoryChannelLayer")):
        return []
    return [Warning("MCP streams and answers are delivered through a per-process channel layer.",
                    hint="With several worker processes, set CHANNEL_LAYERS to "
                         "channels_redis.pubsub.RedisPubSubChannelLayer, or an answer POSTed "
                         "to one worker will not reach a tool waiting on another.",
                    id="mcp_django.W003")]


@register(Tags.caches, deploy=False)
def check_session_cache_reachable(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E006: the session cache must answer at start-up (a wrong REDIS_URL fails here, early)."""
    from django.core.cache import caches

    alias = (getattr(settings, "MCP_DJANGO", {}) or {}).get("SESSION_CACHE_ALIAS", "default")
    if alias not in settings.CACHES:
        return []
    try:
        caches[alias].get("mcp_django:check")
    except Exception as exc:
        return [Error(f"The MCP session cache {alias!r} cannot be reached: "
                      f"{type(exc).__name__}: {exc}", id="mcp_django.E006")]
    return []


@register(Tags.compatibility)
def check_registries(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E004 invalid/duplicate names and unknown toolset fields; E007 unknown allowlisted
    commands (recorded while toolsets registered, so imports never crash)."""
    from .server import servers

    seen: set[int] = set()
    messages: list[Any] = []
    for server in servers.values():
        if id(server.registry) in seen:
            continue
        seen.add(id(server.registry))
        messages += [Error(text, id=check_id) for check_id, text in server.registry.problems]
    return messages
