"""EventLog: a bounded, expiring log per legacy SSE stream for `Last-Event-ID` resume (L-41..44)."""

from __future__ import annotations

import re
from typing import Any

from django.core.cache import caches

from . import keys
from .cachecall import make_cache_caller

MAX_EVENTS = 500
EVENT_ID = re.compile(r"([0-9a-f]{16})-([0-9]{1,18})")  # what StreamIds hands out


def log_key(session_id: str, stream_id: str, deployment: str = "") -> str:
    return keys.cache_key(deployment, f"mcp_django:events:{session_id}:{stream_id}")


class EventLog:
    """Entries `[number, message, final]` under one cache key per stream (one writer: its run)."""

    def __init__(self, alias: str, ttl: int, deployment: str = "") -> None:
        self.ttl = ttl
        self.deployment = deployment
        self._call = make_cache_caller(caches[alias])

    def _key(self, session_id: str, stream_id: str) -> str:
        return log_key(session_id, stream_id, self.deployment)

    async def append(self, session_id: str, stream_id: str, number: int,
                     message: dict[str, Any], final: bool) -> None:
        key = self._key(session_id, stream_id)
        entries = await self._call("get", key) or []
        entries.append([number, message, final])
        await self._call("set", key, entries[-MAX_EVENTS:], self.ttl)

    async def start(self, session_id: str, stream_id: str, owner: dict[str, Any]) -> None:
        """Create the stream's empty log, and note which worker and request it belongs to."""
        await self._call("add", self._key(session_id, stream_id), [], self.ttl)
        await self._call("set", self._key(session_id, stream_id) + ":owner", owner, self.ttl)

    async def owner(self, session_id: str, stream_id: str) -> dict[str, Any] | None:
        return await self._call("get", self._key(session_id, stream_id) + ":owner")

    async def read(self, session_id: str, stream_id: str) -> list[list[Any]] | None:
        """The stream's entries, or None when this session has no such stream (or it expired)."""
        return await self._call("get", self._key(session_id, stream_id))


def parse_event_id(value: str | None) -> tuple[str, int] | None:
    """`"<stream>-<n>"` as this server writes them → (stream, n); None for anything else."""
    found = EVENT_ID.fullmatch(value.strip()) if value else None
    if found is None:
        return None
    return found.group(1), int(found.group(2))
