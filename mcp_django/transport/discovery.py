"""Find the MCP endpoints mounted in the project's URLconf (exact paths, no converters)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def mcp_routes(urlconf: str | None = None) -> dict[str, Any]:
    """`{"/mcp": server, ...}` for every `McpServer.view` reachable through plain routes."""
    found: dict[str, Any] = {}
    _walk(get_resolver(urlconf).url_patterns, "", found)
    return found


def _walk(patterns: list[Any], prefix: str, found: dict[str, Any]) -> None:
    for pattern in patterns:
        route = _literal(pattern)
        if route is None:
            continue
        if isinstance(pattern, URLResolver):
            _walk(pattern.url_patterns, prefix + route, found)
        elif isinstance(pattern, URLPattern):
            server = getattr(pattern.callback, "mcp_server", None)
            if server is not None:
                found[("/" + prefix + route).rstrip("/") or "/"] = server


def _literal(pattern: Any) -> str | None:
    """The route text of a `path()` without converters, or None (regexes are left to Django)."""
    inner = pattern.pattern
    route = getattr(inner, "_route", None)
    if route is None or "<" in route:
        return None
    return str(route)
