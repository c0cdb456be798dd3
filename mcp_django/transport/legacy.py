"""Legacy (2025-03-26 … 2025-11-25) flow: initialize, session requests, batches, GET, DELETE."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..core.errors import InternalError, InvalidRequest, McpError, RequestTimeout
from ..core.jsonrpc import (
    InvalidMessage,
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    Message,
    dump,
    error_message,
    parse_message,
)
from ..core.versions import DEFAULT_LEGACY_HEADER_VERSION, Era, supports
from ..sessions.base import SessionData
from ..sessions.events import parse_event_id
from .answers import PendingAnswers
from .exchange import Exchange, new_context
from .gate import SessionGate
from .http import HEADER_LAST_EVENT, HEADER_SESSION, HEADER_VERSION, IncomingRequest, check_get
from .ids import StreamIds
from .inflight import Inflight
from .responses import JSON_HEADERS, Outgoing, empty_response, json_response, sse_response
from .run import Runs
from .streams import SessionStreams

if TYPE_CHECKING:
    from ..runtime import Runtime


class LegacyFlow:
    """Everything the handshake era needs beyond the shared pipeline."""

    def __init__(self, runtime: Runtime, gate: SessionGate, runs: Runs, inflight: Inflight,
                 answers: PendingAnswers) -> None:
        self.runtime = runtime
        self.config = runtime.config
        self.gate = gate
        self.runs = runs
        self.inflight = inflight
        self.answers = answers
        self.streams = SessionStreams(runtime)

    # -- POST ---------------------------------------------------------------------------------
    async def post(self, exchange: Exchange) -> Outgoing:
        message = exchange.message
        if isinstance(message, JsonRpcRequest) and message.method == "initialize":
            return await self._initialize(exchange)
        exchange.session = session = await self.gate.require(exchange.request, exchange.principal)
        if isinstance(message, JsonRpcNotification):
            await self._notify(session, message)
            return empty_response(202)
        if isinstance(message, JsonRpcResponse):
            if session is not None:
                await self.answers.deliver(session.id, message)
            return empty_response(202)
        self._prepare(exchange)
        return await self.runs.respond(exchange)

    def _prepare(self, exchange: Exchange) -> None:
        """The request's context (and, for 2025-11-25, its stream ids)."""
        exchange.era = Era.LEGACY
        exchange.ctx = ctx = self._context(exchange)
        session = exchange.session
        if session is not None and not self.config.json_response:
            ctx.asker = self.answers.ask
        exchange.ids = self._stream_ids(ctx.protocol_version, session, exchange.request_id)

    async def _initialize(self, exchange: Exchange) -> Outgoing:
        await self.gate.refuse_reinitialize(exchange.request)
        exchange.era = Era.LEGACY
        exchange.ctx = new_context(self.runtime, exchange.call, Era.LEGACY,
                                   DEFAULT_LEGACY_HEADER_VERSION, exchange.principal)
        reply = await self.runs.reply(exchange)
        assert reply is not None  # nothing can cancel it by id: it has no session yet
        result = reply.message.get("result")
        session = None if result is None else await self.gate.open(
            exchange.call.params, result, exchange.principal)
        headers = {HEADER_SESSION: session.id} if session is not None else None
        return json_response(reply.message, reply.status, headers)

    def _context(self, exchange: Exchange) -> Any:
        session = exchange.session
        if session is None:
            version = exchange.request.headers.get(HEADER_VERSION) or \
                DEFAULT_LEGACY_HEADER_VERSION
            return new_context(self.runtime, exchange.call, Era.LEGACY, version,
                               exchange.principal)
        return new_context(
            self.runtime, exchange.call, Era.LEGACY, session.protocol_version,
            exchange.principal, session=session,
            client_capabilities=session.client_capabilities, client_info=session.client_info,
            log_level=session.log_level)

    def _stream_ids(self, version: str, session: SessionData | None = None,
                    request_id: Any = None) -> StreamIds | None:
        """Ids (and, with a session, a resumable log) for 2025-11-25 streams only (C-7)."""
        if not supports(version, "priming"):
            return None
        if session is None:
            return StreamIds(self.config.retry_ms)
        owner = {"worker": self.runtime.bus.worker, "request": request_id}
        return StreamIds(self.config.retry_ms, self.runtime.event_log, session.id, owner)

    async def _notify(self, session: SessionData | None, message: JsonRpcNotification) -> None:
        """`notifications/cancelled` stops the request here, or on the worker that holds it."""
        if message.method == "notifications/cancelled" and session is not None:
            await self.inflight.cancel(session.id, message.params.get("requestId"))

    # -- batch (2025-03-26 sessions only, 2025-03-26 basic §batching) --------------------------
    async def batch(self, request: IncomingRequest, payload: list[Any], principal: Any
                    ) -> Outgoing:
        session = await self.gate.optional(request, principal)
        if session is None or not supports(session.protocol_version, "batch") or not payload:
            raise InvalidRequest("Invalid request: batches are only accepted in 2025-03-26 "
                                 "sessions")
        if len(payload) > self.config.max_batch:
            raise InvalidRequest(f"Invalid request: a batch of {len(payload)} messages exceeds "
                                 f"MAX_BATCH ({self.config.max_batch})")
        messages = [_parse_or_error(item) for item in payload]
        if any(isinstance(m, JsonRpcRequest) and m.method == "initialize" for m in messages):
            raise InvalidRequest("Invalid request: initialize cannot be batched")
        answers = BatchAnswers(self.config.max_batch_response)
        deadline = asyncio.get_running_loop().time() + self.runs.timeout
        for message in messages:
            answers.add(await self._batch_item(message, session, principal, request, deadline))
            await asyncio.sleep(0)  # one batch never holds the event loop for all its items
        return answers.response()

    async def _batch_item(self, message: Message | dict[str, Any], session: SessionData,
                          principal: Any, request: IncomingRequest, deadline: float
                          ) -> dict[str, Any] | None:
        if isinstance(message, dict):
            return message
        if isinstance(message, JsonRpcNotification):
            await self._notify(session, message)
            return None
        if isinstance(message, JsonRpcResponse):
            await self.answers.deliver(session.id, message)
            return None
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:  # REQUEST_TIMEOUT bounds the whole batch
            return error_message(message.id, RequestTimeout())
        exchange = Exchange(request, principal, message, Era.LEGACY, session)
        exchange.ctx = self._context(exchange)
        reply = await self.runs.reply(exchange, timeout=remaining)
        return reply.message if reply is not None else None  # cancelled: no answer (§cancel)

    # -- GET and DELETE -----------------------------------------------------------------------
    async def open_get_stream(self, request: IncomingRequest, principal: Any) -> Outgoing:
        check_get(request.headers)
        session = await self.gate.require(request, principal)
        assert session is not None  # the endpoint refuses GET in stateless mode
        resume = parse_event_id(request.headers.get(HEADER_LAST_EVENT))
        if resume is not None:
            entries = await self.runtime.event_log.read(session.id, resume[0])
            if entries is not None:
                return sse_response(self.streams.replay(session, request, *resume))
        return sse_response(self.streams.follow(session, request,
                                                self._stream_ids(session.protocol_version)))

    async def delete(self, request: IncomingRequest, principal: Any) -> Outgoing:
        session = await self.gate.require(request, principal)
        assert session is not None  # the endpoint refuses DELETE in stateless mode
        await self.runtime.terminate_session(session.id, by="client")
        return empty_response(200)


class BatchAnswers:
    """A batch's answers, encoded as they come; past `limit` bytes an answer is replaced by
    an error, so one batch cannot make an unbounded response."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 2

    def add(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            return
        encoded = dump(answer)
        if self.size + len(encoded) + 1 > self.limit:
            encoded = dump(error_message(answer.get("id"), InternalError(
                f"The batch's answers exceed MAX_BATCH_RESPONSE_BYTES ({self.limit} bytes)")))
        self.parts.append(encoded)
        self.size += len(encoded) + 1

    def response(self) -> Outgoing:
        if not self.parts:
            return empty_response(202)
        body = b"[" + b",".join(self.parts) + b"]"
        return Outgoing(200, [*JSON_HEADERS, ("content-length", str(len(body)))], body)


def _parse_or_error(item: Any) -> Message | dict[str, Any]:
    try:
        return parse_message(item)
    except InvalidMessage as exc:
        return error_message(exc.request_id, exc)
    except McpError as exc:
        return error_message(None, exc)
