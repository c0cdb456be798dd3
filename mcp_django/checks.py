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


ENTRIES_PER_SESSION = 3  # the record, a stream's event log and its owner note


def _servers() -> dict[str, Any]:
    """Every server, the URLconf's included (checks may run before Django's URL check)."""
    from .server import servers
    from .transport.discovery import mcp_routes

    try:
        mcp_routes()
    except Exception:  # a broken URLconf is Django's own check to report
        pass
    return servers


def _session_servers() -> list[dict[str, Any]]:
    """Each stateful server's settings as configured (not validated: E001/E008 report that)."""
    user = getattr(settings, "MCP_DJANGO", {}) or {}
    merged = [{**DEFAULTS, **user, **server.overrides} for server in _servers().values()] or \
        [{**DEFAULTS, **user}]
    return [values for values in merged if not values["STATELESS_LEGACY"]]


@register(Tags.caches)
def check_session_eviction(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """W004 a session cache that culls at MAX_ENTRIES below what MAX_SESSIONS allows; W005
    sessions in the `default` cache, whose other entries make it cull or evict them."""
    needed: dict[str, int] = {}
    for values in _session_servers():
        alias = values["SESSION_CACHE_ALIAS"]
        needed[alias] = needed.get(alias, 0) + ENTRIES_PER_SESSION * int(values["MAX_SESSIONS"])
    messages: list[Any] = []
    for alias, entries in sorted(needed.items()):
        if alias in settings.CACHES:
            messages += _culling_problems(alias, entries)
    if "default" in needed and "default" in settings.CACHES:
        messages.append(Warning(
            "MCP sessions share the 'default' cache with the rest of the project.",
            hint="Its other entries make it cull (local memory, file, database) or evict "
                 "(Redis with maxmemory) sessions: give sessions a CACHES alias of their own "
                 "and set MCP_DJANGO['SESSION_CACHE_ALIAS'] (docs/deployment.md).",
            id="mcp_django.W005"))
    return messages


def _culling_problems(alias: str, entries: int) -> list[Any]:
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.core.cache.backends.filebased import FileBasedCache

    cache = caches[alias]
    if not isinstance(cache, (LocMemCache, FileBasedCache, DatabaseCache)):
        return []
    max_entries = int(getattr(cache, "_max_entries", 300))
    if max_entries >= entries:
        return []
    return [Warning(f"The MCP session cache {alias!r} culls entries past MAX_ENTRIES "
                    f"({max_entries}): a flood of new sessions would evict live ones.",
                    hint=f"Set its OPTIONS['MAX_ENTRIES'] to at least {entries} "
                         f"({ENTRIES_PER_SESSION} × MAX_SESSIONS of the servers using it), or "
                         "use Redis (docs/deployment.md).",
                    id="mcp_django.W004")]


@register(Tags.compatibility)
def check_deployment_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E010: DEPLOYMENT_KEY prefixes channel-group names, which allow few characters."""
    from .sessions.keys import DEPLOYMENT_KEY

    user = getattr(settings, "MCP_DJANGO", {}) or {}
    sources = [("MCP_DJANGO", user.get("DEPLOYMENT_KEY", ""))] + [
        (f"McpServer({name!r})", server.overrides["DEPLOYMENT_KEY"])
        for name, server in sorted(_servers().items()) if "DEPLOYMENT_KEY" in server.overrides]
    return [Error(f"{source}: DEPLOYMENT_KEY {key!r} is not 0-40 ASCII letters, digits, "
                  "'-', '_' or '.'.", hint="It prefixes channel-layer group names.",
                  id="mcp_django.E010")
            for source, key in sources
            if isinstance(key, str) and not DEPLOYMENT_KEY.fullmatch(key)]


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
