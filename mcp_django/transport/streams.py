"""A legacy session's SSE streams beyond a POST: the GET stream and Last-Event-ID replay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..core.changes import session_notification
from ..core.errors import InternalError
from ..core.jsonrpc import error_message
from ..sessions.base import SessionData
from .http import HttpError, IncomingRequest
from .ids import StreamIds
from .sse import KEEPALIVE, encode_event, retry_field

if TYPE_CHECKING:
    from ..runtime import Runtime

REPLAY_POLL_SECONDS = 0.1
MIN_RECHECK_SECONDS = 0.1  # a PRINCIPAL_RECHECK_SECONDS of 0 must not spin


class CredentialCheck:
    """2025-11-25 authorization §2.3 (a token is checked on every request): a long-lived
    stream re-runs the server's authentication on the request that opened it every
    `PRINCIPAL_RECHECK_SECONDS`, and before a delivery once that is due. The stream ends
    when the credential no longer authenticates as the principal that opened it."""

    def __init__(self, runtime: Runtime, request: IncomingRequest | None,
                 principal_key: str) -> None:
        self.policy = runtime.policy
        self.principal_key = runtime.principal_key
        self.request = request
        self.expected = principal_key
        self.every = max(MIN_RECHECK_SECONDS, float(runtime.settings["PRINCIPAL_RECHECK_SECONDS"]))
        self.loop = asyncio.get_running_loop()
        self.due = self.loop.time() + self.every

    def due_in(self) -> float:
        return max(0.0, self.due - self.loop.time())

    async def valid(self) -> bool:
        """True, without any work, until a check is due; then the check's verdict."""
        if self.request is None or self.loop.time() < self.due:
            return True
        self.due = self.loop.time() + self.every
        try:
            principal = await self.policy.authenticate(self.request)
        except HttpError:  # 401 invalid_token, 403: refused now
            return False
        return bool(self.principal_key(principal) == self.expected)


class SessionStreams:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.config = runtime.config

    async def replay(self, session: SessionData, request: IncomingRequest, stream: str,
                     after: int) -> AsyncIterator[bytes]:
        """Events of one earlier stream after `after`, then its live tail until it ends (L-42)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.stream_max
        last_keepalive = loop.time()
        check = CredentialCheck(self.runtime, request, session.principal)
        while loop.time() < deadline and await check.valid():
            entries = await self.runtime.event_log.read(session.id, stream) or []
            for number, message, final in entries:
                if number > after:
                    after = number
                    yield encode_event(message, f"{stream}-{number}")
                    if final:
                        return
            await asyncio.sleep(REPLAY_POLL_SECONDS)
            if loop.time() - last_keepalive >= self.config.keepalive:
                last_keepalive = loop.time()
                lost = await self._lost_request(session, stream)
                if lost is not None:
                    yield encode_event(lost, f"{stream}-{after + 1}")
                    return
                yield KEEPALIVE

    async def _lost_request(self, session: SessionData, stream: str) -> dict[str, Any] | None:
        """The error a client can act on when the worker running the stream's request died."""
        owner = await self.runtime.event_log.owner(session.id, stream)
        if not owner or await self.runtime.bus.alive(owner.get("worker", "")):
            return None
        return error_message(owner.get("request"), InternalError(
            "The worker handling this request stopped before it finished; send it again"))

    async def follow(self, session: SessionData, request: IncomingRequest,
                     ids: StreamIds | None) -> AsyncIterator[bytes]:
        """A session's GET stream: its messages and list changes, until it ends (L-35, L-38)."""
        layer = self.runtime.groups.layer()
        groups = (self.runtime.groups.session(session.id), self.runtime.groups.changes)
        channel = await self.runtime.groups.new_channel(layer)
        for group in groups:
            await layer.group_add(group, channel)
        try:
            if ids is not None:
                yield ids.priming()
            check = CredentialCheck(self.runtime, request, session.principal)
            async for chunk in self._follow(layer, channel, session, ids, check):
                yield chunk
        finally:
            for group in groups:
                await layer.group_discard(group, channel)

    async def _follow(self, layer: Any, channel: str, session: SessionData,
                      ids: StreamIds | None, check: CredentialCheck) -> AsyncIterator[bytes]:
        """Until STREAM_MAX_SECONDS, termination, the session's end or its credential's."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.stream_max
        next_keepalive = loop.time() + self.config.keepalive
        while (remaining := deadline - loop.time()) > 0 and await check.valid():
            wait = min(next_keepalive - loop.time(), remaining, check.due_in())
            try:
                event = await asyncio.wait_for(layer.receive(channel), wait)
            except TimeoutError:
                if loop.time() < next_keepalive:
                    continue  # a credential check is due
                if not await self._alive(session):
                    return
                next_keepalive = loop.time() + self.config.keepalive
                yield KEEPALIVE
                continue
            if event.get("type") == "session.terminate" or not await check.valid():
                return
            message = await self._stream_message(session, event)
            if message is not None:
                yield encode_event(message, ids.next() if ids else None)
        if ids is not None and remaining <= 0:
            yield retry_field(self.config.retry_ms)

    async def _alive(self, session: SessionData) -> bool:
        """Whether the session still exists, without reading its record when the store can
        (a terminated session's streams also hear `session.terminate`)."""
        store = self.runtime.sessions
        touch = getattr(store, "touch", None)
        if touch is not None:
            return bool(await touch(session.id))
        return await store.load(session.id) is not None

    async def _stream_message(self, session: SessionData, event: dict[str, Any]
                              ) -> dict[str, Any] | None:
        if event.get("type") == "session.message":
            return event["message"]
        if event.get("type") != "mcp.change":
            return None
        if event.get("kind") == "resource":  # subscriptions may have changed since the GET
            session = await self.runtime.sessions.load(session.id) or session
        return session_notification(event, session.subscriptions)
