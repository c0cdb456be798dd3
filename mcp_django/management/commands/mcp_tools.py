"""`manage.py mcp_tools [--json] [--server NAME]`: every server's tools, resources and prompts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mcp_django.server import servers
from mcp_django.transport.discovery import mcp_routes


def inventory(server: Any) -> dict[str, Any]:
    registry = server.registry
    return {
        "tools": [dict(spec.definition(), permissions=_perms(spec))
                  for spec in registry.tools.values()],
        "resources": [spec.definition() for spec in registry.resources.values()],
        "resourceTemplates": [spec.definition() for spec in registry.templates.values()],
        "prompts": [spec.definition() for spec in registry.prompts.values()],
    }


def _perms(spec: Any) -> Any:
    permissions = getattr(spec, "permissions", None)
    if permissions is None:
        return None
    return "callable" if callable(permissions) else list(permissions)


class Command(BaseCommand):
    help = "List the tools, resources and prompts of every MCP server, with their schemas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Machine-readable output")
        parser.add_argument("--server", help="Only this server")

    def handle(self, *args: Any, **options: Any) -> None:
        mcp_routes()  # loads the URLconf: servers defined beside it exist from then on
        chosen = {name: server for name, server in servers.items()
                  if options["server"] in (None, name)}
        listing = {name: inventory(server) for name, server in chosen.items()}
        if options["json"]:
            self.stdout.write(json.dumps(listing, indent=2, default=str))
            return
        for name, items in listing.items():
            self.stdout.write(self.style.MIGRATE_HEADING(f"Server {name!r}"))
            for tool in items["tools"]:
                needs = f"  [needs {tool['permissions']}]" if tool["permissions"] else ""
                self.stdout.write(f"  tool     {tool['name']}: {tool['description']}{needs}")
            for resource in items["resources"] + items["resourceTemplates"]:
                uri = resource.get("uri") or resource.get("uriTemplate")
                self.stdout.write(f"  resource {uri} ({resource['name']})")
            for prompt in items["prompts"]:
                self.stdout.write(f"  prompt   {prompt['name']}: {prompt.get('description', '')}")
