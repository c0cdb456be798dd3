"""Calls: the requests running in this process, by JSON-RPC id, so a cancel can reach them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from ..core.errors import InvalidRequest
from ..core.jsonrpc import RequestId
from ..transport.inflight import is_request_id


class Calls:
    """Each request is its own asyncio task; `notifications/cancelled` cancels it by id
    (2025-11-25 basic/utilities/cancellation: the request stops and is never answered)."""

    def __init__(self) -> None:
        self.running: dict[RequestId, asyncio.Task[Any]] = {}

    def start(self, request_id: RequestId, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        if request_id in self.running:
            work.close()
            raise InvalidRequest(f"Invalid request: a request with id {request_id!r} is "
                                 "still running")
        task = asyncio.get_running_loop().create_task(work, name=f"mcp:stdio:{request_id!r}")
        self.running[request_id] = task
        task.add_done_callback(lambda _: self.release(request_id, task))
        return task

    def release(self, request_id: RequestId, task: asyncio.Task[Any] | None) -> None:
        """The request is answered (or about to be): its id is free for the client again."""
        if task is not None and self.running.get(request_id) is task:
            del self.running[request_id]

    def live(self, request_id: RequestId, task: asyncio.Task[Any] | None) -> bool:
        """Whether `task` is still the running request `request_id`."""
        return task is not None and self.running.get(request_id) is task

    def cancel(self, request_id: Any) -> bool:
        task = self.running.get(request_id) if is_request_id(request_id) else None
        if task is not None:
            task.cancel()
        return task is not None

    async def cancel_all(self) -> None:
        """End of input or SIGTERM: every running request stops, unanswered."""
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
