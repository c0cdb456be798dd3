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
from ..sessions.events import EventLog
from .responses import Outgoing, json_response, sse_response
from .sse import KEEPALIVE, encode_event, priming_event, retry_field

_DETACHED: set[asyncio.Task[None]] = set()  # strong references to runs that outlive a stream


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
        self.detached = False
        self._background: asyncio.Task[None] | None = None

    async def run_inline(self) -> Outgoing:
        """JSON-only mode: nothing can be streamed, so run in this task."""
        reply = await self._run()
        return json_response(reply.message, reply.status)

    def launch(self) -> asyncio.Task[Reply]:
        """Start the handler in its own task (so it can be cancelled by id)."""
        self.ctx.emit = self._emit
        if self.ids is not None and self.ids.log is not None:
            self.ctx.close_stream = self._detach
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

    def _detach(self) -> None:
        """The handler asked to end the HTTP stream now; it keeps running, logging (L-33)."""
        self.detached = True
        self.signal.set()

    async def _events(self, ticked: bool) -> AsyncIterator[bytes]:
        assert self.task is not None
        try:
            if self.ids is not None:
                yield await self.ids.open()
            if ticked:
                yield KEEPALIVE
            async for chunk in self._drain():
                yield chunk
            if self.detached and not self.task.done():
                assert self.ids is not None
                yield retry_field(self.ids.retry_ms)
                self._continue_in_log()
                return
            if not self.task.cancelled():
                yield await self._encode(self.task.result().message, final=True)
        finally:
            if self._background is None and self.resumable and not self.task.done():
                self._continue_in_log()  # a dropped legacy stream is not a cancel (L-34, C-1)
            elif self._background is None:
                self.task.cancel()

    @property
    def resumable(self) -> bool:
        return self.ids is not None and self.ids.log is not None

    def _continue_in_log(self) -> None:
        self._background = asyncio.ensure_future(self._log_rest())
        _DETACHED.add(self._background)
        self._background.add_done_callback(_DETACHED.discard)

    async def _drain(self) -> AsyncIterator[bytes]:
        assert self.task is not None
        while True:
            self.signal.clear()
            while self.queue:
                yield await self._encode(self.queue.popleft())
            if self.task.done() or self.detached:
                return
            try:
                async with asyncio.timeout(self.keepalive):
                    await self.signal.wait()
            except TimeoutError:
                yield KEEPALIVE

    async def _log_rest(self) -> None:
        """After a detach: record what the handler still sends, for resumption by GET."""
        assert self.task is not None and self.ids is not None
        while not self.task.done() or self.queue:
            self.signal.clear()
            while self.queue:
                await self.ids.encode(self.queue.popleft())
            if not self.task.done():
                await self.signal.wait()
        if not self.task.cancelled():
            await self.ids.encode(self.task.result().message, final=True)

    async def _encode(self, message: dict[str, Any], final: bool = False) -> bytes:
        if self.ids is None:
            return encode_event(message)
        return await self.ids.encode(message, final)
