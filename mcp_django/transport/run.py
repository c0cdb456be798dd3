"""RequestRun: one JSON-RPC request answered as JSON, or as SSE once it emits something; Runs
starts every request's run (modern, legacy, initialize, batch items) the same way."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.dispatcher import Dispatcher, Reply
from ..core.errors import RequestTimeout
from ..core.jsonrpc import JsonRpcRequest, dump, error_message
from ..supervisor import Supervisor
from .exchange import Exchange
from .ids import StreamIds
from .inflight import Inflight
from .responses import Outgoing, json_response, sse_response
from .sse import KEEPALIVE, encode_event, retry_field

if TYPE_CHECKING:
    from ..runtime import TransportConfig

logger = logging.getLogger("mcp_django.transport")


class RequestRun:
    """Runs the dispatcher for one request and turns what it produces into a response."""

    def __init__(self, dispatcher: Dispatcher, request: JsonRpcRequest, ctx: Context, *,
                 timeout: float, keepalive: float, supervisor: Supervisor,
                 ids: StreamIds | None = None, buffer_limit: int = 1024 * 1024) -> None:
        self.dispatcher = dispatcher
        self.supervisor = supervisor
        self.request = request
        self.ctx = ctx
        self.timeout = timeout
        self.keepalive = keepalive
        self.ids = ids
        self.queue: deque[dict[str, Any]] = deque()
        self.sizes: deque[int] = deque()  # encoded size of each queued message
        self.queued = 0
        self.buffer_limit = buffer_limit
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
        self.task = task = asyncio.get_running_loop().create_task(self._run())
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
        size = 0 if self.detached else len(dump(message))
        self.queued += size
        if self.queued > self.buffer_limit and not self.detached:
            self._fell_behind()
        self.queue.append(message)
        self.sizes.append(size)
        self.signal.set()

    async def run(self) -> Reply:
        """The reply, in the caller's task, with nothing streamed (emits are dropped)."""
        return await self._run()

    async def _run(self) -> Reply:
        try:
            async with asyncio.timeout(self.timeout):
                return await self.dispatcher.handle(self.request, self.ctx)
        except TimeoutError:
            return Reply(error_message(self.request.id, RequestTimeout()))

    def _pop(self) -> dict[str, Any]:
        self.queued -= self.sizes.popleft()
        return self.queue.popleft()

    def _fell_behind(self) -> None:
        """More than STREAM_BUFFER_BYTES waits for a client that does not read: a resumable
        stream ends and the rest goes to its log; any other stream ends with its request."""
        logger.warning("Closing an SSE stream whose client stopped reading")
        if self.resumable:
            self._detach()
        elif self.task is not None:
            self.task.cancel()

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
        self._background = self.supervisor.spawn(self._log_rest(), "detached run")

    async def _drain(self) -> AsyncIterator[bytes]:
        assert self.task is not None
        while True:
            self.signal.clear()
            while self.queue:
                yield await self._encode(self._pop())
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
                await self.ids.encode(self._pop())
            if not self.task.done():
                await self.signal.wait()
        if not self.task.cancelled():
            await self.ids.encode(self.task.result().message, final=True)

    async def _encode(self, message: dict[str, Any], final: bool = False) -> bytes:
        if self.ids is None:
            return encode_event(message)
        return await self.ids.encode(message, final)


class Runs:
    """Every request's run: one timeout (`REQUEST_TIMEOUT`, capped by `STREAM_MAX_SECONDS`),
    cancellation by id for session requests, and JSON or SSE as the request allows."""

    def __init__(self, dispatcher: Dispatcher, config: TransportConfig, inflight: Inflight,
                 supervisor: Supervisor) -> None:
        self.dispatcher = dispatcher
        self.config = config
        self.inflight = inflight
        self.supervisor = supervisor
        self.timeout = min(config.request_timeout, config.stream_max)

    def run(self, exchange: Exchange, timeout: float | None = None) -> RequestRun:
        assert exchange.ctx is not None
        return RequestRun(self.dispatcher, exchange.call, exchange.ctx, ids=exchange.ids,
                          timeout=self.timeout if timeout is None else timeout,
                          keepalive=self.config.keepalive, supervisor=self.supervisor,
                          buffer_limit=self.config.stream_buffer)

    async def respond(self, exchange: Exchange, *, streaming: bool = True) -> Outgoing:
        """The HTTP answer: JSON when the result comes first, else an SSE stream."""
        run = self.run(exchange)
        if self.config.json_response or not streaming:
            return await run.run_inline()
        await self._track(exchange, run.launch())
        return await run.answer()

    async def reply(self, exchange: Exchange, timeout: float | None = None) -> Reply | None:
        """The bare JSON-RPC reply (initialize, batch items), or None when it was cancelled by
        id; a cancel of the HTTP request itself propagates."""
        task = asyncio.get_running_loop().create_task(self.run(exchange, timeout).run())
        await self._track(exchange, task)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() and not _cancelling():
                return None
            task.cancel()
            raise

    async def _track(self, exchange: Exchange, task: asyncio.Task[Any]) -> None:
        if exchange.session is not None:
            self.inflight.track(exchange.session.id, exchange.request_id, task)
            await self.inflight.bus.start()  # so a cancel POSTed to another worker reaches us


def _cancelling() -> bool:
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0
