"""StreamIds: event ids of one legacy SSE stream, and its resumable log."""

from __future__ import annotations

import secrets
from typing import Any

from ..sessions.events import EventLog
from .sse import encode_event, priming_event


class StreamIds:
    """Event ids for one legacy SSE stream: `<stream>-<n>`, unique within the session (L-41).

    With a log, every id'd event is also recorded so a client can resume the stream with
    `Last-Event-ID` on any worker.
    """

    def __init__(self, retry_ms: int, log: EventLog | None = None,
                 session_id: str | None = None, owner: dict[str, Any] | None = None) -> None:
        self.stream = secrets.token_hex(8)
        self.count = 0
        self.retry_ms = retry_ms
        self.log = log
        self.session_id = session_id
        self.owner = owner or {}

    def next(self) -> str:
        self.count += 1
        return f"{self.stream}-{self.count}"

    async def open(self) -> bytes:
        """The priming event; the stream's (empty) log exists from now on, so a resume at
        once finds it."""
        if self.log is not None and self.session_id is not None:
            await self.log.start(self.session_id, self.stream, self.owner)
        return self.priming()

    async def encode(self, message: dict[str, Any], final: bool = False) -> bytes:
        event_id = self.next()
        if self.log is not None and self.session_id is not None:
            await self.log.append(self.session_id, self.stream, self.count, message, final)
        return encode_event(message, event_id)

    def priming(self) -> bytes:
        return priming_event(f"{self.stream}-0", self.retry_ms)
