"""SessionIndex: database rows behind the admin's session list (the cache stays authoritative)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from ..supervisor import Supervisor
from .base import SessionData

logger = logging.getLogger("mcp_django.sessions")


class SessionIndex:
    """Writes `McpSession` rows: on create, `last_seen` at most every `throttle` seconds."""

    def __init__(self, throttle: float, supervisor: Supervisor) -> None:
        self.throttle = throttle
        self.supervisor = supervisor

    async def record(self, session: SessionData, principal: Any) -> None:
        await database_sync_to_async(_create_row, thread_sensitive=False)(session, principal)

    async def live_count(self, server: str, ttl: float, limit: int) -> int:
        """How many of `server`'s sessions are live, counted up to `limit`: not terminated
        and seen within the TTL (plus the throttle, by which `last_seen` may lag)."""
        return await database_sync_to_async(_live_count, thread_sensitive=False)(
            server, ttl + self.throttle, limit)

    def seen(self, session: SessionData) -> None:
        """Schedule a `last_seen` update when the throttle allows; never delays the request."""
        now = time.time()
        if now - session.indexed < self.throttle:
            return
        session.indexed = now
        self.supervisor.spawn(self._touch(session), "session index")

    async def _touch(self, session: SessionData) -> None:
        try:
            await session.store.save(session)
            await database_sync_to_async(_touch_row, thread_sensitive=False)(session.id)
        except Exception:
            logger.exception("Could not update the session index")


def _create_row(session: SessionData, principal: Any) -> None:
    from ..models import McpSession

    info = session.client_info
    McpSession.objects.create(
        session_id=session.id, server=session.server, principal=session.principal,
        user=principal if getattr(principal, "pk", None) is not None else None,
        protocol_version=session.protocol_version,
        client_name=str(info.get("name", ""))[:200],
        client_version=str(info.get("version", ""))[:100],
        client_info=info, client_capabilities=session.client_capabilities)


def live_rows(server: str, idle_seconds: float) -> Any:
    """The index rows of `server` that may still have a session behind them."""
    from ..models import McpSession

    since = timezone.now() - timedelta(seconds=idle_seconds)
    return McpSession.objects.filter(server=server, terminated_at__isnull=True,
                                     last_seen__gte=since)


def _live_count(server: str, idle_seconds: float, limit: int) -> int:
    return int(live_rows(server, idle_seconds)[:limit].count())


def _touch_row(session_id: str) -> None:
    from ..models import McpSession

    McpSession.objects.filter(session_id=session_id).update(last_seen=timezone.now())


def mark_terminated(session_id: str, by: str) -> None:
    from ..models import McpSession

    McpSession.objects.filter(session_id=session_id, terminated_at__isnull=True).update(
        terminated_at=timezone.now(), terminated_by=by[:150])
