"""Create the demo's reader and editor, give each a fresh token, and print how to use them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

from mcp_django.models import McpToken

ROLES = {
    "reader": ["view_book", "view_author"],
    "editor": ["view_book", "add_book", "change_book", "delete_book", "view_author"],
}


class Command(BaseCommand):
    help = "Create demo users 'reader' and 'editor' with new MCP tokens, and print them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/mcp")

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        self.stdout.write("Demo MCP users (tokens are new each run; old demo tokens are revoked):")
        for username, codenames in ROLES.items():
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.user_permissions.set(Permission.objects.filter(
                content_type__app_label="library", codename__in=codenames))
            McpToken.objects.filter(user=user, name="demo").delete()
            _record, token = McpToken.issue(user, "demo")
            self.stdout.write(f"\n  {username}: {token}")
            self.stdout.write(f"    .venv/bin/python scripts/try_demo.py {url} {token}")
