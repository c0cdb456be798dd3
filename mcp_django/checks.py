"""System checks (ids mcp_django.E0xx / W0xx, listed in docs/checks.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, Tags, Warning, register

from .conf import DEFAULTS, type_problem

SETTINGS = "settings.MCP_DJANGO"
OAUTH = "mcp_django.integrations.auth.OAuth2Authentication"


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    user = getattr(settings, "MCP_DJANGO", {}) or {}
    for key in sorted(set(user) - set(DEFAULTS)):
        messages.append(Error(f"Unknown MCP_DJANGO setting {key!r}.",
                              hint="See docs/settings.md for the valid keys.", obj=SETTINGS,
                              id="mcp_django.E001"))
    for key in sorted(set(user) & set(DEFAULTS)):
        problem = type_problem(key, user[key])
        if problem is not None:
            messages.append(Error(f"MCP_DJANGO[{key!r}] {problem}.", obj=SETTINGS,
                                  hint="See docs/settings.md.", id="mcp_django.E008"))
    messages += _rate_problems(user.get("THROTTLE_RATE", DEFAULTS["THROTTLE_RATE"]))
    alias = user.get("SESSION_CACHE_ALIAS", DEFAULTS["SESSION_CACHE_ALIAS"])
    if alias not in settings.CACHES:
        messages.append(Error(f"MCP_DJANGO['SESSION_CACHE_ALIAS'] {alias!r} is not in CACHES.",
                              hint=f"Add a {alias!r} entry to CACHES, or name one of "
                                   f"{sorted(settings.CACHES)}.", obj=SETTINGS,
                              id="mcp_django.E003"))
    return messages


def _rate_problems(rate: Any) -> list[Any]:
    from django.core.exceptions import ImproperlyConfigured

    from .policy import parse_rate

    try:
        parse_rate(str(rate))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="For example '120/minute' (docs/auth.md#throttling).",
                      obj=SETTINGS, id="mcp_django.E009")]
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
                        obj=f"settings.CACHES[{alias!r}]", id="mcp_django.W001")]
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
            obj=SETTINGS, id="mcp_django.W005"))
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
                    obj=f"settings.CACHES[{alias!r}]", id="mcp_django.W004")]


@register(Tags.compatibility)
def check_deployment_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E010: DEPLOYMENT_KEY prefixes channel-group names, which allow few characters."""
    from .sessions.keys import DEPLOYMENT_KEY

    user = getattr(settings, "MCP_DJANGO", {}) or {}
    sources = [(SETTINGS, user.get("DEPLOYMENT_KEY", ""))] + [
        (f"McpServer({name!r})", server.overrides["DEPLOYMENT_KEY"])
        for name, server in sorted(_servers().items()) if "DEPLOYMENT_KEY" in server.overrides]
    return [Error(f"DEPLOYMENT_KEY {key!r} is not 0-40 ASCII letters, digits, '-', '_' or "
                  "'.'.", hint="It prefixes channel-layer group names.", obj=source,
                  id="mcp_django.E010")
            for source, key in sources
            if isinstance(key, str) and not DEPLOYMENT_KEY.fullmatch(key)]


@register(Tags.security)
def check_origins(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    origins = (getattr(settings, "MCP_DJANGO", {}) or {}).get("ALLOWED_ORIGINS", [])
    if "*" in settings.ALLOWED_HOSTS and not origins:
        return [Warning("ALLOWED_HOSTS contains '*': the MCP endpoint accepts any Host header.",
                        hint="List your hosts, so DNS-rebinding protection can work.",
                        obj="settings.ALLOWED_HOSTS", id="mcp_django.W002")]
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
                    obj="settings.CHANNEL_LAYERS", id="mcp_django.W003")]


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
                      f"{type(exc).__name__}: {exc}", obj=f"settings.CACHES[{alias!r}]",
                      hint="Check its LOCATION (e.g. REDIS_URL) and that the server is up.",
                      id="mcp_django.E006")]
    return []


@register(Tags.compatibility)
def check_registries(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E004 invalid/duplicate names and unknown toolset fields; E007 unknown allowlisted
    commands (recorded while registering, so imports never crash)."""
    from .server import servers

    seen: set[int] = set()
    messages: list[Any] = []
    for name, server in servers.items():
        if id(server.registry) in seen:
            continue
        seen.add(id(server.registry))
        messages += [Error(problem.message, hint=problem.hint, id=problem.id,
                           obj=problem.obj or f"McpServer({name!r})")
                     for problem in server.registry.problems]
    return messages


@register(Tags.security)
def check_oauth_app(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """E011: OAuth2Authentication reads django-oauth-toolkit's tokens, so its app must be
    installed (otherwise every request is an HTML 500)."""
    from django.apps import apps

    if apps.is_installed("oauth2_provider"):
        return []
    user = getattr(settings, "MCP_DJANGO", {}) or {}
    sources = [(SETTINGS, user.get("AUTHENTICATION_CLASSES", []))] + [
        (f"McpServer({name!r})", server.overrides["AUTHENTICATION_CLASSES"])
        for name, server in sorted(_servers().items())
        if "AUTHENTICATION_CLASSES" in server.overrides]
    return [Error("AUTHENTICATION_CLASSES names OAuth2Authentication, but 'oauth2_provider' "
                  "is not in INSTALLED_APPS.",
                  hint="Install django-oauth-toolkit (the 'oauth' extra), add "
                       "'oauth2_provider' to INSTALLED_APPS and migrate (docs/auth.md).",
                  obj=source, id="mcp_django.E011")
            for source, classes in sources if _names_oauth(classes)]


def _names_oauth(classes: Any) -> bool:
    entries = classes if isinstance(classes, (list, tuple)) else []
    return any((entry if isinstance(entry, str) else
                f"{getattr(entry, '__module__', '')}.{getattr(entry, '__qualname__', '')}")
               == OAUTH for entry in entries)
