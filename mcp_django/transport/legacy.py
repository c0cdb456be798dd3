"""Legacy (2025-03-26 … 2025-11-25) session flow: initialize, session lookup, GET, DELETE, batch."""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from ..core.errors import InternalError, InvalidRequest, McpError
from ..core.inputs import InputRequest, check_response
from ..core.jsonrpc import (
    InvalidMessage,
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    Message,
    error_message,
    notification_message,
    parse_message,
    request_message,
)
from ..core.versions import DEFAULT_LEGACY_HEADER_VERSION, Era
from ..sessions.base import SessionData
from ..sessions.cache import new_session_id
from ..sessions.events import parse_event_id
from .http import (
    HEADER_LAST_EVENT,
    HEADER_SESSION,
    HEADER_VERSION,
    HttpError,
    IncomingRequest,
    check_get,
    method_not_allowed,
)
from .responses import Outgoing, empty_response, json_response, sse_response
from .run import RequestRun, StreamIds
from .streams import SessionStreams

if TYPE_CHECKING:
    from ..core.context import Context
    from ..server import McpServer
    from .endpoint import Endpoint, EndpointConfig

PRIMING_FROM = "2025-11-25"
BATCH_VERSION = "2025-03-26"


class LegacySessions:
    """Everything the handshake era needs beyond the shared request path."""

    def __init__(self, server: McpServer, config: EndpointConfig) -> None:
        self.server = server
        self.config = config
        self.inflight: dict[tuple[str, Any], asyncio.Task[Any]] = {}
        self.pending: dict[tuple[str, Any], asyncio.Future[Any]] = {}
        self.streams = SessionStreams(server, config)
        server.bus.on("answer", lambda m: self._settle(m["session"], m["id"], m.get("result"),
                                                        m.get("error")))
        server.bus.on("cancel", lambda m: self._cancel_local(m["session"], m["requestId"]))

    # -- POST ---------------------------------------------------------------------------------
    async def post(self, request: IncomingRequest, message: Message, principal: Any,
                   endpoint: Endpoint) -> Outgoing:
        if isinstance(message, JsonRpcRequest) and message.method == "initialize":
            return await self._initialize(request, message, principal, endpoint)
        session = await self._session_for(request, principal)
        if isinstance(message, JsonRpcNotification):
            await self._notify(session, message)
            return empty_response(202)
        if isinstance(message, JsonRpcResponse):
            await self._deliver(session, message)
            return empty_response(202)
        ctx = self._context(endpoint, message, session, principal, request)
        if session is not None and not self.config.json_response:
            ctx.asker = self._ask
        ids = self._stream_ids(ctx.protocol_version, session, message.id)
        return await endpoint.respond(message, ctx, ids=ids)

    async def _initialize(self, request: IncomingRequest, message: JsonRpcRequest,
                          principal: Any, endpoint: Endpoint) -> Outgoing:
        existing = request.headers.get(HEADER_SESSION)
        if existing and await self.server.session_store.load(existing) is not None:
            raise InvalidRequest("Invalid request: session already initialized")
        ctx = endpoint.context(message, Era.LEGACY, DEFAULT_LEGACY_HEADER_VERSION, principal)
        reply = await endpoint.dispatcher.handle(message, ctx)
        result = reply.message.get("result")
        if result is None or self.config.stateless_legacy:
            return json_response(reply.message, reply.status)
        session = SessionData(
            new_session_id(), self.server.name, self.server.principal_key(principal),
            result["protocolVersion"], _dict(message.params.get("clientInfo")),
            _dict(message.params.get("capabilities")))
        await self.server.session_store.create(session)
        await self.server.index.record(session, principal)
        return json_response(reply.message, reply.status, {HEADER_SESSION: session.id})

    async def _session_for(self, request: IncomingRequest, principal: Any) -> SessionData | None:
        if self.config.stateless_legacy:
            return None
        session_id = request.headers.get(HEADER_SESSION)
        if not session_id:
            raise HttpError(400, "Bad Request: Mcp-Session-Id header is required")
        session = await self.server.session_store.load(session_id)
        if (session is None or session.server != self.server.name
                or session.principal != self.server.principal_key(principal)):
            raise HttpError(404, "Session not found", code=-32001)
        self.server.index.seen(session)
        return session

    def _context(self, endpoint: Endpoint, message: JsonRpcRequest, session: SessionData | None,
                 principal: Any, request: IncomingRequest) -> Context:
        if session is None:
            version = request.headers.get(HEADER_VERSION) or DEFAULT_LEGACY_HEADER_VERSION
            return endpoint.context(message, Era.LEGACY, version, principal)
        return endpoint.context(
            message, Era.LEGACY, session.protocol_version, principal, session=session,
            client_capabilities=session.client_capabilities, client_info=session.client_info,
            log_level=session.log_level)

    # -- server→client requests (L-45..L-49) ---------------------------------------------------
    async def _ask(self, ctx: Context, requests: dict[str, InputRequest]) -> dict[str, Any]:
        """Send each request on the caller's SSE stream and wait for the POSTed answers."""
        loop = asyncio.get_running_loop()
        session_id = ctx.session.id
        waiting = {key: (f"mcp-{secrets.token_hex(8)}", request, loop.create_future())
                   for key, request in requests.items()}
        try:
            for request_id, request, future in waiting.values():
                self.pending[(session_id, request_id)] = future
                await ctx.emit(request_message(request_id, request.method, request.params))
            async with asyncio.timeout(self.config.input_timeout):
                return {key: check_response(request, await future)
                        for key, (_id, request, future) in waiting.items()}
        except TimeoutError:
            for request_id, _request, future in waiting.values():
                if future.cancelled() or not future.done():  # the timeout cancels the awaited one
                    await ctx.emit(notification_message("notifications/cancelled", {
                        "requestId": request_id, "reason": "The server stopped waiting"}))
            raise InternalError("Timed out waiting for the client's answer") from None
        finally:
            for request_id, _request, _future in waiting.values():
                self.pending.pop((session_id, request_id), None)

    async def _deliver(self, session: SessionData | None, message: JsonRpcResponse) -> None:
        """Complete the matching request here or on the worker that sent it (L-47, L-48)."""
        if session is None:
            return
        if not self._settle(session.id, message.id, message.result, message.error):
            await self.server.bus.broadcast("answer", session=session.id, id=message.id,
                                            result=message.result, error=message.error)

    def _settle(self, session_id: str, request_id: Any, result: Any,
                error: dict[str, Any] | None) -> bool:
        """Resolve a local pending request; False when it is not here (late answers included)."""
        future = self.pending.get((session_id, request_id))
        if future is None:
            return False
        if future.done():
            return True
        if error is not None:
            detail = error.get("message", "error")
            future.set_exception(InternalError(f"The client answered with an error: {detail}"))
        else:
            future.set_result(result)
        return True

    def _stream_ids(self, version: str, session: SessionData | None = None,
                    request_id: Any = None) -> StreamIds | None:
        """Ids (and, with a session, a resumable log) for 2025-11-25 streams only (C-7)."""
        if version < PRIMING_FROM:
            return None
        if session is None:
            return StreamIds(self.config.retry_ms)
        owner = {"worker": self.server.bus.worker, "request": request_id}
        return StreamIds(self.config.retry_ms, self.server.event_log, session.id, owner)

    async def _notify(self, session: SessionData | None, message: JsonRpcNotification) -> None:
        """`notifications/cancelled` stops the request here, or on the worker that holds it."""
        if message.method != "notifications/cancelled" or session is None:
            return
        request_id = message.params.get("requestId")
        if not self._cancel_local(session.id, request_id):
            await self.server.bus.broadcast("cancel", session=session.id, requestId=request_id)

    def _cancel_local(self, session_id: str, request_id: Any) -> bool:
        task = self.inflight.get((session_id, request_id))
        if task is not None:
            task.cancel()
        return task is not None

    async def track(self, ctx: Context, run: RequestRun) -> Outgoing:
        """Start a streaming run, remembering it so `notifications/cancelled` can reach it."""
        if ctx.session is not None:
            await self.server.bus.start()
        task = run.launch()
        if ctx.session is not None:
            key = (ctx.session.id, ctx.request_id)
            self.inflight[key] = task
            task.add_done_callback(lambda _: self.inflight.pop(key, None))
        return await run.answer()

    # -- batch (2025-03-26 sessions only, L-11) ----------------------------------------------
    async def batch(self, request: IncomingRequest, payload: list[Any], principal: Any,
                    endpoint: Endpoint) -> Outgoing:
        session = None
        if request.headers.get(HEADER_SESSION) and not self.config.stateless_legacy:
            session = await self._session_for(request, principal)
        if session is None or session.protocol_version != BATCH_VERSION or not payload:
            raise InvalidRequest("Invalid request: batches are only accepted in 2025-03-26 "
                                 "sessions")
        messages = [_parse_or_error(item) for item in payload]
        if any(isinstance(m, JsonRpcRequest) and m.method == "initialize" for m in messages):
            raise InvalidRequest("Invalid request: initialize cannot be batched")
        replies = [await self._batch_item(m, session, principal, request, endpoint)
                   for m in messages]
        answers = [reply for reply in replies if reply is not None]
        return json_response(answers) if answers else empty_response(202)

    async def _batch_item(self, message: Message | dict[str, Any], session: SessionData,
                          principal: Any, request: IncomingRequest, endpoint: Endpoint
                          ) -> dict[str, Any] | None:
        if isinstance(message, dict):
            return message
        if isinstance(message, JsonRpcNotification):
            await self._notify(session, message)
            return None
        if isinstance(message, JsonRpcResponse):
            return None
        ctx = self._context(endpoint, message, session, principal, request)
        return (await endpoint.dispatcher.handle(message, ctx)).message

    # -- GET and DELETE -----------------------------------------------------------------------
    async def open_get_stream(self, request: IncomingRequest, principal: Any) -> Outgoing:
        if self.config.stateless_legacy:
            raise method_not_allowed("POST")
        check_get(request.headers)
        session = await self._session_for(request, principal)
        assert session is not None
        resume = parse_event_id(request.headers.get(HEADER_LAST_EVENT))
        if resume is not None:
            entries = await self.server.event_log.read(session.id, resume[0])
            if entries is not None:
                return sse_response(self.streams.replay(session, *resume))
        return sse_response(self.streams.follow(session,
                                                self._stream_ids(session.protocol_version)))

    async def delete(self, request: IncomingRequest, principal: Any) -> Outgoing:
        if self.config.stateless_legacy:
            raise method_not_allowed("POST")
        session = await self._session_for(request, principal)
        assert session is not None
        await self.server.terminate_session(session.id, by="client")
        return empty_response(200)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _parse_or_error(item: Any) -> Message | dict[str, Any]:
    try:
        return parse_message(item)
    except InvalidMessage as exc:
        return error_message(exc.request_id, exc)
    except McpError as exc:
        return error_message(None, exc)
