"""`manage.py mcp_clearsessions [--dry-run]`: delete the index rows of sessions that ended."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mcp_django.conf import DEFAULTS
from mcp_django.models import McpSession
from mcp_django.server import servers
from mcp_django.sessions.cachecall import IN_PROCESS
from mcp_django.transport.discovery import mcp_routes

DELETE_CHUNK = 500


class Command(BaseCommand):
    help = ("Delete McpSession rows (the admin's session index) of sessions that ended: "
            "terminated, idle past SESSION_TTL, or whose cache record is gone.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Count the rows that would be deleted; delete nothing")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        mcp_routes()  # import the URLconf: servers register themselves as it loads
        found = {"terminated": _terminated(), "idle": [], "uncached": []}
        skipped: list[str] = []
        names = McpSession.objects.filter(terminated_at__isnull=True).values_list(
            "server", flat=True).distinct()
        for name in sorted(set(names)):
            idle, uncached, checked = _ended(name, servers.get(name))
            found["idle"] += idle
            found["uncached"] += uncached
            if not checked:
                skipped.append(name)
        rows = [pk for pks in found.values() for pk in pks]
        if not dry_run:
            for start in range(0, len(rows), DELETE_CHUNK):
                McpSession.objects.filter(pk__in=rows[start:start + DELETE_CHUNK]).delete()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {len(rows)} MCP session rows: "
                          f"{len(found['terminated'])} terminated, {len(found['idle'])} idle "
                          f"past SESSION_TTL, {len(found['uncached'])} without a cache record")
        if skipped:
            self.stdout.write("Cache records not checked for " + ", ".join(skipped) + ": their "
                              "session cache is per process (or the server is not mounted)")


def _terminated() -> list[int]:
    return list(McpSession.objects.filter(terminated_at__isnull=False)
                .values_list("pk", flat=True))


def _ended(name: str, server: Any) -> tuple[list[int], list[int], bool]:
    """A server's open rows that are idle past its TTL, those whose record is gone, and
    whether the records could be checked from this process at all."""
    values = server.settings if server is not None else \
        {**DEFAULTS, **(getattr(settings, "MCP_DJANGO", {}) or {})}
    idle_for = timedelta(seconds=values["SESSION_TTL"] + values["SESSION_INDEX_THROTTLE"])
    rows = McpSession.objects.filter(server=name, terminated_at__isnull=True)
    idle = list(rows.filter(last_seen__lt=timezone.now() - idle_for).values_list("pk", flat=True))
    store = server.runtime.sessions if server is not None else None
    if store is None or isinstance(getattr(store, "cache", None), IN_PROCESS):
        return idle, [], False
    open_rows = dict(rows.exclude(pk__in=idle).values_list("session_id", "pk"))
    existing = _existing(store, list(open_rows))
    return idle, [pk for session_id, pk in open_rows.items() if session_id not in existing], True


def _existing(store: Any, session_ids: list[str]) -> set[str]:
    lookup = getattr(store, "existing_sync", None)
    if lookup is not None:
        return set(lookup(session_ids))
    load = async_to_sync(store.load)
    return {session_id for session_id in session_ids if load(session_id) is not None}
