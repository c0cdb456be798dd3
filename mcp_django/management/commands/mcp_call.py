"""`manage.py mcp_call <tool> [--args JSON] [--user NAME] [--server NAME]`: call a tool here."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcp_django.core.context import Context
from mcp_django.core.jsonrpc import JsonRpcRequest
from mcp_django.core.versions import MODERN_VERSIONS, Era
from mcp_django.policy import principal_key
from mcp_django.server import servers
from mcp_django.transport.discovery import mcp_routes


class Command(BaseCommand):
    help = "Call an MCP tool from the shell, as a user, and print its result as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tool")
        parser.add_argument("--args", dest="arguments", default="{}",
                            help='Arguments as JSON, e.g. \'{"a": 1}\'')
        parser.add_argument("--user", help="Call as this user (permissions apply)")
        parser.add_argument("--server", default="default")

    def handle(self, *args: Any, tool: str, server: str, user: str | None, **options: Any
               ) -> None:
        mcp_routes()  # loads the URLconf: servers defined beside it exist from then on
        if server not in servers:
            raise CommandError(f"No MCP server {server!r}; known: {sorted(servers)}")
        try:
            arguments = json.loads(options["arguments"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--args is not JSON: {exc}") from None
        principal = self._principal(user)
        reply = asyncio.run(self._call(servers[server], tool, arguments, principal))
        self.stdout.write(json.dumps(reply, indent=2, default=str))
        if "error" in reply or reply.get("result", {}).get("isError"):
            sys.exit(1)

    @staticmethod
    def _principal(username: str | None) -> Any:
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        user.get_all_permissions()
        return user

    async def _call(self, server: Any, tool: str, arguments: Any, principal: Any) -> Any:
        params = {"name": tool, "arguments": arguments}

        async def show(message: dict[str, Any]) -> None:
            self.stderr.write(json.dumps(message.get("params", message), default=str))

        ctx = Context(1, "tools/call", Era.MODERN, MODERN_VERSIONS[0], params,
                      principal=principal, principal_key=principal_key(principal),
                      run_sync=server.run_sync, server=server, emit=show, log_level="info")
        reply = await server.dispatcher.handle(JsonRpcRequest(1, "tools/call", params), ctx)
        return reply.message
