"""A second MCP server with its own tools, path and switches (json_response, stateless)."""

from __future__ import annotations

from mcp_django.server import McpServer, servers

# `McpServer` names must be unique per process; the docs test may import this module twice.
internal = servers.get("docs-internal") or McpServer(
    "docs-internal", JSON_RESPONSE=True, STATELESS_LEGACY=True, SERVER_NAME="internal-tools")

if "ping_db" not in internal.registry.tools:
    @internal.tool
    def ping_db() -> str:
        """Check the database connection."""
        from django.db import connection

        connection.ensure_connection()
        return "ok"

# urls.py:
#     from django.urls import include, path
#     urlpatterns = [path("internal/", include(internal.urls("mcp")))]   # → /internal/mcp
urlpatterns = internal.urls("mcp")
