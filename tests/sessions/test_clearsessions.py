"""`manage.py mcp_clearsessions`: index rows of ended sessions go; live sessions stay."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from demo_project.conformance import conformance
from mcp_django.models import McpSession
from tests.transport.asgi_client import Exchange, initialize

pytestmark = pytest.mark.django_db(transaction=True)


def new_session() -> dict[str, str]:
    return async_to_sync(initialize)(conformance.asgi, "2025-11-25")


async def _delete(headers: dict[str, str]) -> int:
    exchange = Exchange(conformance.asgi, headers, "/conformance/mcp", "DELETE")
    await exchange.send_body(b"")
    return (await exchange.read_all()).status


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mcp_clearsessions", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shared_session_cache(tmp_path):
    """Sessions in a file cache, which this process (the command's) shares with the server's
    workers; a local-memory cache is per process, so the command cannot check its records."""
    file_cache = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                  "LOCATION": str(tmp_path), "OPTIONS": {"MAX_ENTRIES": 10**6}}
    with override_settings(CACHES={**settings.CACHES, "mcp_sessions": file_cache}):
        yield


def test_clearsessions_deletes_terminated_idle_and_uncached_rows_only(shared_session_cache):
    terminated, idle, uncached, live = (new_session() for _ in range(4))
    assert async_to_sync(_delete)(terminated) == 200
    McpSession.objects.filter(session_id=idle["Mcp-Session-Id"]).update(
        last_seen=timezone.now() - timedelta(days=1))
    async_to_sync(conformance.runtime.sessions.delete)(uncached["Mcp-Session-Id"])

    report = run("--dry-run")
    assert "Would delete 3 MCP session rows" in report
    assert "1 terminated, 1 idle past SESSION_TTL, 1 without a cache record" in report
    assert McpSession.objects.count() == 4

    assert "Deleted 3 MCP session rows" in run()
    assert list(McpSession.objects.values_list("session_id", flat=True)) == \
        [live["Mcp-Session-Id"]]
    assert "Deleted 0 MCP session rows" in run()


def test_clearsessions_cannot_check_a_per_process_cache_and_says_so():
    new_session()
    report = run("--dry-run")
    assert "Would delete 0 MCP session rows" in report
    assert "Cache records not checked for conformance" in report
