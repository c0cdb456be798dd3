"""`manage.py mcp_stdio [--server NAME] [--user USERNAME]`: one MCP server over stdin/stdout."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from mcp_django.server import servers
from mcp_django.transport.discovery import mcp_routes

REFUSED = 2  # the exit code of a refused start (bad server, user or credentials)


class Command(BaseCommand):
    help = ("Serve an MCP server over stdin/stdout (newline-delimited JSON-RPC, both protocol "
            "eras) as a Django user, for desktop hosts that start servers as child processes.")
    requires_system_checks: list[str] = []  # start-up time; `manage.py check` runs them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", default="default", help="The McpServer to serve")
        parser.add_argument("--user", help="Serve as this user (default: MCP_DJANGO"
                                           "['STDIO_USER']); permissions apply as over HTTP")

    def handle(self, *args: Any, server: str, user: str | None, **options: Any) -> None:
        from mcp_django.stdio.process import serve

        chosen = find_server(server)
        principal = resolve_principal(chosen, user or chosen.settings["STDIO_USER"])
        runtime = chosen.runtime  # built now: registry changes announce themselves from here
        connections.close_all()  # the loop's thread must not reuse the start-up connection
        sys.stderr.write(f"mcp_stdio: serving {chosen.name!r} as "
                         f"{principal.get_username() if principal else 'anonymous'}\n")
        sys.exit(serve(runtime, principal))


def find_server(name: str) -> Any:
    mcp_routes()  # loads the URLconf: servers defined beside it exist from then on
    if name not in servers:
        raise CommandError(f"No MCP server {name!r}; known: {', '.join(sorted(servers))}",
                           returncode=REFUSED)
    return servers[name]


def resolve_principal(server: Any, username: str | None) -> Any:
    """The active Django user, with its permissions loaded; None only when the server allows
    anonymous callers."""
    if username is None:
        if server.settings["ALLOW_ANONYMOUS"]:
            return None
        raise CommandError(f"Server {server.name!r} does not allow anonymous callers: pass "
                           "--user USERNAME or set MCP_DJANGO['STDIO_USER']",
                           returncode=REFUSED)
    model = get_user_model()
    user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    if user is None or not user.is_active:
        raise CommandError(f"No active user {username!r}", returncode=REFUSED)
    user.get_all_permissions()  # fill the permission cache off the event loop
    return user
