"""RequestRun: one JSON-RPC request answered as JSON, or as SSE once it emits something."""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from ..core.context import Context
from ..core.dispatcher import Dispatcher, Reply
from ..core.errors import RequestTimeout
from ..core.jsonrpc import JsonRpcRequest, error_message
from .responses import Outgoing, json_response, sse_response
from .sse import KEEPALIVE, encode_event, priming_event


class StreamIds:
    """Event ids for one legacy SSE stream: `<stream>-<n>`, unique within the session (L-41)."""

    def __init__(self, retry_ms: int) -> None:
        self.stream = secrets.token_hex(8)
        self.count = 0
        self.retry_ms = retry_ms

    def next(self) -> str:
        self.count += 1
        return f"{self.stream}-{self.count}"

    def priming(self) -> bytes:
        return priming_event(f"{self.stream}-0", self.retry_ms)


class RequestRun:
    """Runs the dispatcher for one request and turns what it produces into a response."""

    def __init__(self, dispatcher: Dispatcher, request: JsonRpcRequest, ctx: Context, *,
                 timeout: float, keepalive: float, ids: StreamIds | None = None) -> None:
        self.dispatcher = dispatcher
        self.request = request
        self.ctx = ctx
        self.timeout = timeout
        self.keepalive = keepalive
        self.ids = ids
        self.queue: deque[dict[str, Any]] = deque()
        self.signal = asyncio.Event()
        self.task: asyncio.Task[Reply] | None = None

    async def run_inline(self) -> Outgoing:
        """JSON-only mode: nothing can be streamed, so run in this task."""
        reply = await self._run()
        return json_response(reply.message, reply.status)

    def launch(self) -> asyncio.Task[Reply]:
        """Start the handler in its own task (so it can be cancelled by id)."""
        self.ctx.emit = self._emit
        self.task = task = asyncio.ensure_future(self._run())
        task.add_done_callback(lambda _: self.signal.set())
        return task

    async def answer(self) -> Outgoing:
        """Answer with JSON if the result comes first; otherwise open an SSE stream."""
        task = self.task if self.task is not None else self.launch()
        ticked = False
        try:
            async with asyncio.timeout(self.keepalive):
                await self.signal.wait()
        except TimeoutError:
            ticked = True
        except asyncio.CancelledError:
            task.cancel()
            raise
        if task.done() and not self.queue and not task.cancelled():
            reply = task.result()
            return json_response(reply.message, reply.status)
        return sse_response(self._events(ticked))

    async def _emit(self, message: dict[str, Any]) -> None:
        if self.task is not None and self.task.done():
            return
        self.queue.append(message)
        self.signal.set()

    async def _run(self) -> Reply:
        try:
            async with asyncio.timeout(self.timeout):
                return await self.dispatcher.handle(self.request, self.ctx)
        except TimeoutError:
            return Reply(error_message(self.request.id, RequestTimeout()))

    async def _events(self, ticked: bool) -> AsyncIterator[bytes]:
        assert self.task is not None
        try:
            if self.ids is not None:
                yield self.ids.priming()
            if ticked:
                yield KEEPALIVE
            async for chunk in self._drain():
                yield chunk
            if not self.task.cancelled():
                yield encode_event(self.task.result().message, self._event_id())
        finally:
            self.task.cancel()

    async def _drain(self) -> AsyncIterator[bytes]:
        assert self.task is not None
        while True:
            self.signal.clear()
            while self.queue:
                yield encode_event(self.queue.popleft(), self._event_id())
            if self.task.done():
                return
            try:
                async with asyncio.timeout(self.keepalive):
                    await self.signal.wait()
            except TimeoutError:
                yield KEEPALIVE

    def _event_id(self) -> str | None:
        return self.ids.next() if self.ids is not None else None
