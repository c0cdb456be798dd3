"""StdioServer: every line of stdin through the one pipeline (Runtime, Dispatcher, Policy's
principal), every answer and notification on stdout (2025-11-25 transports §stdio)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import InvalidRequest, McpError, RequestTimeout
from ..core.jsonrpc import (
    InvalidMessage,
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    Message,
    RequestId,
    error_message,
    load_json,
    parse_message,
)
from ..core.methods.table import MethodSpec
from ..core.versions import Era
from ..transport.answers import PendingAnswers
from ..transport.exchange import modern_context
from ..transport.http import payload_too_large
from .batch import BatchReplies, parse_items, refuse_batch
from .caller import Caller
from .calls import Calls
from .changes import Changes
from .contexts import era_of, legacy_context
from .session import ProcessSession
from .wire import Line, Output, Oversized, StdinReader

if TYPE_CHECKING:
    from ..runtime import Runtime

logger = logging.getLogger("mcp_django.stdio")
JOIN_WAIT_SECONDS = 5.0


class StdioServer:
    """One client, both eras, decided per message: 2025 revisions through `initialize` (the
    process is the session), 2026-07-28 through each request's `_meta`."""

    def __init__(self, runtime: Runtime, principal: Any, output: Output) -> None:
        self.runtime = runtime
        self.dispatcher = runtime.dispatcher
        self.config = runtime.config
        self.principal = principal
        self.caller = Caller(principal, float(runtime.settings["PRINCIPAL_RECHECK_SECONDS"]))
        self.out = output
        self.calls = Calls()
        self.session = ProcessSession(runtime.name, principal, runtime.settings)
        self.answers = PendingAnswers(runtime.bus, self.config.input_timeout)
        self.changes = Changes(runtime, self.session, output.send)
        self.timeout = min(self.config.request_timeout, self.config.stream_max)
        self.batches: set[asyncio.Task[Any]] = set()
        self.stopped = asyncio.Event()

    def stop(self) -> None:
        """End of input, SIGTERM or a closed stdout: stop reading, cancel what runs."""
        self.stopped.set()

    async def serve(self, reader: StdinReader) -> None:
        follower = self.runtime.supervisor.spawn(self.changes.follow(), "stdio changes")
        await self._joined(follower)
        reading = asyncio.get_running_loop().create_task(self._read(reader))
        try:
            await self.stopped.wait()
        finally:
            await self._wind_down(reading, follower)

    async def _joined(self, follower: asyncio.Task[Any]) -> None:
        """Start answering once change events can reach us (or the layer failed: log it)."""
        joined = asyncio.get_running_loop().create_task(self.changes.joined.wait())
        await asyncio.wait({joined, follower}, timeout=JOIN_WAIT_SECONDS,
                           return_when=asyncio.FIRST_COMPLETED)
        if not joined.done():
            joined.cancel()
            logger.warning("The channel layer is not reachable: no change notifications")

    async def _read(self, reader: StdinReader) -> None:
        while (line := await reader.next()) is not None:
            await self.receive(line)
        self.stop()

    async def _wind_down(self, reading: asyncio.Task[Any], follower: asyncio.Task[Any]) -> None:
        reading.cancel()
        for task in self.batches:
            task.cancel()
        await self.calls.cancel_all()
        follower.cancel()
        await asyncio.gather(reading, follower, *self.batches, return_exceptions=True)
        await self.runtime.supervisor.shutdown()

    # -- one line ---------------------------------------------------------------------------
    async def receive(self, line: Line) -> None:
        """Parse errors get -32700 with no id, malformed messages -32600 (with the id when it
        could be read), a line over MAX_BODY_BYTES -32600; blank lines are skipped."""
        if isinstance(line, Oversized):
            error = payload_too_large(self.config.max_body)
            return await self._error(None, McpError(error.message, code=error.code))
        if not line.strip():
            return None
        try:
            payload = load_json(line)
            if isinstance(payload, list):
                return self._batch(payload)
            message = parse_message(payload)
        except InvalidMessage as exc:
            return await self._error(exc.request_id, exc)
        except McpError as exc:
            return await self._error(None, exc)
        await self.route(message)

    async def route(self, message: Message) -> None:
        if isinstance(message, JsonRpcResponse):
            self.answers.settle(self.session.id, message.id, message.result, message.error)
        elif isinstance(message, JsonRpcNotification):
            self._notify(message)
        else:
            try:
                await self._request(message)
            except McpError as exc:
                await self._error(message.id, exc)

    def _notify(self, message: JsonRpcNotification) -> None:
        """`notifications/cancelled` stops the request in either era: on stdio it is the
        2026-07-28 cancellation device too, there being no stream to close."""
        if message.method == "notifications/cancelled":
            self.calls.cancel(message.params.get("requestId"))

    async def _request(self, message: JsonRpcRequest) -> None:
        self.principal = await self.caller.current()
        if era_of(self.dispatcher, message.params) is Era.MODERN:
            return self._modern(message)
        if message.method == "initialize":
            return await self._initialize(message)
        data = self.session.data
        if data is None and message.method != "ping":
            raise InvalidRequest("Invalid request: send initialize first (2025-11-25 "
                                 "lifecycle §initialization)")
        ctx = legacy_context(self.runtime, message, self.principal, data)
        if data is not None:
            ctx.asker = self.answers.ask
        self._call(message, ctx)

    def _modern(self, message: JsonRpcRequest) -> None:
        ctx = modern_context(self.runtime, message, self.principal)
        spec = self.dispatcher.methods.get(Era.MODERN, message.method)
        if spec is not None and spec.streams:
            self.calls.start(message.id, self._listen(message, ctx, spec))
            return
        self._call(message, ctx)

    async def _initialize(self, message: JsonRpcRequest) -> None:
        """Answered before the next line is read, so what follows sees the session; it is not
        tracked, so it cannot be cancelled (L-28)."""
        self.session.refuse_reinitialize()
        ctx = legacy_context(self.runtime, message, self.principal, None)
        reply = await self._reply(message, ctx)
        if reply.get("result") is not None:
            self.session.open(message.params, reply["result"])
        await self.out.send(reply)

    # -- running requests -------------------------------------------------------------------
    def _call(self, message: JsonRpcRequest, ctx: Context) -> asyncio.Task[Any]:
        task = self.calls.start(message.id, self._answer(message, ctx))
        ctx.emit = self._emitter(message.id, task)
        return task

    def _emitter(self, request_id: RequestId, task: asyncio.Task[Any]) -> Any:
        """A request's notifications and questions; nothing once it ended or was cancelled."""
        async def emit(message: dict[str, Any]) -> None:
            if self.calls.live(request_id, task):
                await self.out.send(message)
        return emit

    async def _answer(self, message: JsonRpcRequest, ctx: Context) -> None:
        await self._finish(message.id, await self._reply(message, ctx))

    async def _finish(self, request_id: RequestId, answer: dict[str, Any]) -> None:
        """Free the id before the answer goes out: a client may reuse it as soon as it reads
        the answer."""
        self.calls.release(request_id, asyncio.current_task())
        await self.out.send(answer)

    async def _reply(self, message: JsonRpcRequest, ctx: Context,
                     timeout: float | None = None) -> dict[str, Any]:
        """The dispatcher's reply within REQUEST_TIMEOUT (capped by STREAM_MAX_SECONDS)."""
        try:
            async with asyncio.timeout(self.timeout if timeout is None else timeout):
                return (await self.dispatcher.handle(message, ctx)).message
        except TimeoutError:
            return error_message(message.id, RequestTimeout())

    async def _listen(self, message: JsonRpcRequest, ctx: Context, spec: MethodSpec) -> None:
        try:
            spec.check(message.params)
            opened = await spec.handler(self.dispatcher, ctx, message.params)
        except Exception as exc:  # the dispatcher's one exception → JSON-RPC map
            error, _status = self.dispatcher.error_for(exc, Era.MODERN)
            return await self._error(message.id, error)
        await self._finish(message.id, await self.changes.listen(message.id,
                                                                 opened["notifications"]))

    async def _error(self, request_id: RequestId | None, error: McpError) -> None:
        await self.out.send(error_message(request_id, error))

    # -- batches (2025-03-26 sessions only, 2025-03-26 basic §batching) ----------------------
    def _batch(self, payload: list[Any]) -> None:
        refuse_batch(self.session.data, payload, self.config.max_batch)
        messages = parse_items(payload)
        task = asyncio.get_running_loop().create_task(self._run_batch(messages))
        self.batches.add(task)
        task.add_done_callback(self.batches.discard)

    async def _run_batch(self, messages: list[Message | dict[str, Any]]) -> None:
        replies = BatchReplies(self.config.max_batch_response)
        deadline = asyncio.get_running_loop().time() + self.timeout
        for message in messages:
            replies.add(await self._batch_item(message, deadline))
            await asyncio.sleep(0)  # one batch never holds the event loop for all its items
        if replies.messages:
            await self.out.send(replies.messages)

    async def _batch_item(self, message: Message | dict[str, Any], deadline: float
                          ) -> dict[str, Any] | None:
        if isinstance(message, dict):
            return message
        if not isinstance(message, JsonRpcRequest):
            await self.route(message)
            return None
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:  # REQUEST_TIMEOUT bounds the whole batch
            return error_message(message.id, RequestTimeout())
        return await self._batch_call(message, remaining)

    async def _batch_call(self, message: JsonRpcRequest, timeout: float
                          ) -> dict[str, Any] | None:
        try:
            principal = await self.caller.current()
            ctx = legacy_context(self.runtime, message, principal, self.session.data)
            task = self.calls.start(message.id, self._reply(message, ctx, timeout))
        except McpError as exc:
            return error_message(message.id, exc)
        ctx.asker = self.answers.ask
        ctx.emit = self._emitter(message.id, task)
        await asyncio.wait({task})
        return None if task.cancelled() else task.result()  # cancelled: no answer (§cancel)

