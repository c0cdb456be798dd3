"""Inflight: legacy-session requests running on this worker, so a cancel reaches them anywhere."""

from __future__ import annotations

import asyncio
from typing import Any

from ..routing.bus import WorkerBus


def is_request_id(value: Any) -> bool:
    """A JSON-RPC id (string or integer): anything else names no request."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


class Inflight:
    """`(session, request id) → task`; `cancel` stops it here or on the worker holding it."""

    def __init__(self, bus: WorkerBus) -> None:
        self.bus = bus
        self.running: dict[tuple[str, Any], asyncio.Task[Any]] = {}
        bus.on("cancel", lambda m: self.cancel_local(m["session"], m["requestId"]))
        bus.on("cancel.session", lambda m: self.cancel_session_local(m["session"]))

    def track(self, session_id: str, request_id: Any, task: asyncio.Task[Any]) -> None:
        key = (session_id, request_id)
        self.running[key] = task
        task.add_done_callback(lambda _: self._forget(key, task))

    def _forget(self, key: tuple[str, Any], task: asyncio.Task[Any]) -> None:
        if self.running.get(key) is task:
            del self.running[key]

    async def cancel(self, session_id: str, request_id: Any) -> None:
        """`notifications/cancelled` (2025-11-25 basic/utilities/cancellation)."""
        if is_request_id(request_id) and not self.cancel_local(session_id, request_id):
            await self.bus.broadcast("cancel", session=session_id, requestId=request_id)

    async def cancel_session(self, session_id: str) -> None:
        """A session ended (DELETE, admin): its requests stop on every worker."""
        self.cancel_session_local(session_id)
        await self.bus.broadcast("cancel.session", session=session_id)

    def cancel_session_local(self, session_id: str) -> int:
        doomed = [task for (owner, _id), task in self.running.items() if owner == session_id]
        for task in doomed:
            task.cancel()
        return len(doomed)

    def cancel_local(self, session_id: str, request_id: Any) -> bool:
        if not is_request_id(request_id):
            return False
        task = self.running.get((session_id, request_id))
        if task is not None:
            task.cancel()
        return task is not None
