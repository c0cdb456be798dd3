"""Change notifications on stdout: the server's Groups, heard on one channel of the layer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..core.changes import listen_notification, session_notification
from ..core.jsonrpc import RequestId, notification_message, result_message
from ..core.versions import META_SERVER_INFO, META_SUBSCRIPTION_ID
from .session import ProcessSession

if TYPE_CHECKING:
    from ..runtime import Runtime

ACKNOWLEDGED = "notifications/subscriptions/acknowledged"
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Changes:
    """Joins `groups.changes` (registry changes and `notify_*`, from this process or any
    worker on a shared layer) and the process session's group (2025-11-25 task status), as
    transport/streams.py does for a GET stream, and fans each event out: the legacy session
    gets `notifications/*/list_changed` and `resources/updated` for its subscriptions; every
    open `subscriptions/listen` gets what its filter honours, tagged with its id."""

    def __init__(self, runtime: Runtime, session: ProcessSession, send: Send) -> None:
        self.runtime = runtime
        self.session = session
        self.send = send
        self.listens: dict[RequestId, dict[str, Any]] = {}
        self.joined = asyncio.Event()

    async def follow(self) -> None:
        groups = self.runtime.groups
        layer = groups.layer()
        channel = await groups.new_channel(layer)
        names = (groups.changes, groups.session(self.session.id))
        for name in names:
            await layer.group_add(name, channel)
        self.joined.set()
        try:
            while True:
                await self._deliver(await layer.receive(channel))
        finally:
            for name in names:
                await layer.group_discard(name, channel)

    async def _deliver(self, event: dict[str, Any]) -> None:
        if event.get("type") == "session.message":
            await self.send(event["message"])
        elif event.get("type") == "mcp.change":
            for message in self._notifications(event):
                await self.send(message)

    def _notifications(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        data = self.session.data
        found = [session_notification(event, data.subscriptions)] if data is not None else []
        found += [listen_notification(event, honoured, listen_id)
                  for listen_id, honoured in list(self.listens.items())]
        return [message for message in found if message is not None]

    async def listen(self, listen_id: RequestId, honoured: dict[str, Any]) -> dict[str, Any]:
        """One `subscriptions/listen` (2026-07-28): the acknowledgement, then tagged changes
        until STREAM_MAX_SECONDS; then its result is the answer (the server-side end, as on
        HTTP, S-53). `notifications/cancelled` for its id ends it unanswered."""
        await self.send(notification_message(ACKNOWLEDGED, {
            "notifications": honoured, "_meta": {META_SUBSCRIPTION_ID: listen_id}}))
        self.listens[listen_id] = honoured
        try:
            await asyncio.sleep(self.runtime.config.stream_max)
        finally:
            self.listens.pop(listen_id, None)
        return result_message(listen_id, {"resultType": "complete", "_meta": {
            META_SUBSCRIPTION_ID: listen_id,
            META_SERVER_INFO: self.runtime.dispatcher.options.server_info()}})
