"""mcp_settings: the `MCP_DJANGO` settings dict with defaults, read lazily, reset on change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS: dict[str, Any] = {
    "SERVER_NAME": "mcp-django",
    "SERVER_VERSION": None,
    "SERVER_TITLE": None,
    "INSTRUCTIONS": None,
    "SESSION_CACHE_ALIAS": "default",
    "SESSION_TTL": 3600,
    "SESSION_INDEX_THROTTLE": 60,
    "ALLOWED_ORIGINS": [],
    "MAX_BODY_BYTES": 4 * 1024 * 1024,
    "BODY_TIMEOUT": 30.0,
    "MAX_BATCH": 50,
    "MAX_BATCH_RESPONSE_BYTES": 8 * 1024 * 1024,
    "STREAM_BUFFER_BYTES": 1024 * 1024,
    "MAX_SESSIONS": 10_000,
    "MAX_SUBSCRIPTIONS": 100,
    "MAX_URI_LENGTH": 2048,
    "MAX_CLIENT_INFO_BYTES": 16 * 1024,
    "PRINCIPAL_RECHECK_SECONDS": 60.0,
    "DEPLOYMENT_KEY": "",
    "COMMAND_CONCURRENCY": 4,
    "COMMAND_QUEUE": 16,
    "TASKS_PER_PRINCIPAL": 20,
    "TASK_SWEEP_SECONDS": 60.0,
    "ANONYMOUS_TASKS": False,
    "SSE_KEEPALIVE_SECONDS": 15.0,
    "SSE_RETRY_MS": 1000,
    "REQUEST_TIMEOUT": 300.0,
    "STREAM_MAX_SECONDS": 3600.0,
    "REQUEST_STATE_TTL": 900,
    "INPUT_TIMEOUT": 300.0,
    "TASKS": True,
    "TASK_GRACE_SECONDS": 0.25,
    "TASK_TTL_MS": 3_600_000,
    "TASK_POLL_INTERVAL_MS": 1000,
    "TASK_LEASE_SECONDS": 30.0,
    "STATELESS_LEGACY": False,
    "JSON_RESPONSE": False,
    "PAGE_SIZE": 100,
    "LIST_TTL_MS": 60_000,
    "EXPOSE_ERROR_DETAILS": False,
    "AUTODISCOVER_MODULE": "mcp",
    "AUTHENTICATION_CLASSES": [
        "mcp_django.integrations.auth.BearerTokenAuthentication",
        "mcp_django.integrations.auth.SessionAuthentication",
    ],
    "THROTTLE_CLASSES": [],
    "THROTTLE_RATE": "120/minute",
    "THROTTLE_CACHE_ALIAS": "default",
    "SESSION_STORE": "mcp_django.sessions.cache.CacheSessionStore",
    "ALLOW_ANONYMOUS": False,
    "STDIO_USER": None,
    "AUTHORIZATION_SERVERS": [],
    "SCOPES_SUPPORTED": [],
}


# Keys whose default is None take a string or None; the rest take their default's type.
OPTIONAL_STRINGS = frozenset({"SERVER_VERSION", "SERVER_TITLE", "INSTRUCTIONS", "STDIO_USER"})
_NUMBER_KEYS = frozenset(key for key, value in DEFAULTS.items()
                         if isinstance(value, (int, float)) and not isinstance(value, bool))


def validate(values: dict[str, Any], source: str) -> dict[str, Any]:
    """Unknown keys and values of the wrong type raise ImproperlyConfigured naming the key."""
    for key, value in values.items():
        if key not in DEFAULTS:
            raise ImproperlyConfigured(f"{source}: unknown MCP_DJANGO setting {key!r}")
        problem = type_problem(key, value)
        if problem is not None:
            raise ImproperlyConfigured(f"{source}: MCP_DJANGO setting {key!r} {problem}")
    return values


def type_problem(key: str, value: Any) -> str | None:
    """What is wrong with the type of a known setting's value, or None."""
    if _type_ok(key, value):
        return None
    expected = "a string or None" if key in OPTIONAL_STRINGS else \
        "a number" if key in _NUMBER_KEYS else type(DEFAULTS[key]).__name__
    return f"must be {expected}, not {type(value).__name__}"


def _type_ok(key: str, value: Any) -> bool:
    if key in OPTIONAL_STRINGS:
        return value is None or isinstance(value, str)
    if key in _NUMBER_KEYS:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    default = DEFAULTS[key]
    if isinstance(default, list):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


class ServerSettings(dict[str, Any]):
    """One server's settings: its overrides over `MCP_DJANGO` over `DEFAULTS`, all validated."""

    def __init__(self, server: str, overrides: dict[str, Any]) -> None:
        validate(overrides, f"McpServer({server!r})")
        user = validate(dict(getattr(settings, "MCP_DJANGO", {}) or {}), "MCP_DJANGO")
        super().__init__({**DEFAULTS, **user, **overrides})
        self.server = server


class McpSettings:
    """Attribute access to `settings.MCP_DJANGO` merged over `DEFAULTS`."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] | None = None

    @property
    def user_settings(self) -> dict[str, Any]:
        return dict(getattr(settings, "MCP_DJANGO", {}) or {})

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown MCP_DJANGO setting {name!r}")
        if self._cache is None:
            self._cache = {**DEFAULTS, **self.user_settings}
        return self._cache[name]

    def reload(self) -> None:
        self._cache = None


mcp_settings = McpSettings()


@receiver(setting_changed)
def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "MCP_DJANGO":
        mcp_settings.reload()
