"""`manage.py mcp_token create <username> [--name N] [--days D]` / `revoke <prefix>` / `list`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mcp_django.integrations.tokens import matches
from mcp_django.models import McpToken

ELLIPSES = ("…", "...")


def parse_prefix(given: str) -> tuple[str, str | None]:
    """The prefix in `<prefix>`, `mcp_<prefix>`, `mcp_<prefix>_…` (what `list` prints) or a
    whole token `mcp_<prefix>_<secret>`, and that whole token when one was given."""
    text = given.strip()
    body = text.removeprefix("mcp_")
    for ellipsis in ELLIPSES:
        body = body.removesuffix(ellipsis)
    prefix, _sep, secret = body.partition("_")
    return prefix, text if secret else None


class Command(BaseCommand):
    help = "Create, list or revoke MCP bearer tokens. The secret is printed once, at creation."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="A label, e.g. the client's name")
        create.add_argument("--days", type=int, default=None, help="Expire after this many days")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix")
        revoke.add_argument("prefix", help="abc123def456, mcp_abc123def456_… (as `list` prints "
                                           "it) or the whole token")
        actions.add_parser("list", help="List tokens (never their secrets)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _create(self, username: str, name: str, days: int | None, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        expires = timezone.now() + timedelta(days=days) if days else None
        _record, secret = McpToken.issue(user, name, expires_at=expires)
        self.stdout.write(secret)

    def _revoke(self, prefix: str, **options: Any) -> None:
        prefix, token = parse_prefix(prefix)
        record = McpToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
        if record is None:
            raise CommandError(f"No active token with prefix {prefix!r}")
        if token is not None and not matches(token, record.secret_hash):
            raise CommandError(f"The token given does not match mcp_{prefix}_…: nothing revoked")
        McpToken.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
        self.stdout.write(f"Revoked mcp_{prefix}_…")

    def _list(self, **options: Any) -> None:
        for token in McpToken.objects.select_related("user"):
            state = ("revoked" if token.revoked_at
                     else "expired" if not token.is_usable else "active")
            self.stdout.write(f"mcp_{token.prefix}_…  {token.user.get_username():20} "
                              f"{token.name:20} {state}")
