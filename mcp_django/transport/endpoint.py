"""Endpoint: one MCP path for both eras: POST, GET and DELETE, and the HTTP error mapping."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import LOG_LEVELS, Context
from ..core.errors import InvalidMeta, InvalidRequest, McpError, ServiceUnavailable
from ..core.headers import check_method_headers, check_param_headers, header_properties
from ..core.jsonrpc import (
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    Message,
    error_message,
    load_json,
    parse_message,
)
from ..core.versions import (
    META_CLIENT_CAPABILITIES,
    META_CLIENT_INFO,
    META_LOG_LEVEL,
    Era,
    classify,
)
from .http import (
    HEADER_SESSION,
    HEADER_VERSION,
    HttpError,
    IncomingRequest,
    check_post,
    method_not_allowed,
)
from .legacy import LegacySessions
from .listen import open_listen_stream
from .responses import Outgoing, empty_response, json_response
from .run import RequestRun, StreamIds

if TYPE_CHECKING:
    from ..server import McpServer

logger = logging.getLogger("mcp_django.transport")


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError

    errors: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OperationalError,
                                               InterfaceError)
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        return errors
    return (*errors, RedisConnectionError, RedisTimeoutError)


UNAVAILABLE = _unavailable_errors()


@dataclass(frozen=True)
class EndpointConfig:
    json_response: bool
    stateless_legacy: bool
    keepalive: float
    retry_ms: int
    request_timeout: float
    stream_max: float
    max_body: int
    input_timeout: float = 300.0


class Endpoint:
    """Serves one McpServer over Streamable HTTP; the one place errors become HTTP responses."""

    def __init__(self, server: McpServer, config: EndpointConfig) -> None:
        self.server = server
        self.config = config
        self.dispatcher = server.dispatcher
        self.sessions = LegacySessions(server, config)
        self._param_headers: dict[str, Any] = {}

    async def handle(self, request: IncomingRequest) -> Outgoing:
        request_id = None
        try:
            self.server.origin_policy.check(request.headers)
            principal = await self.server.resolve_principal(request)
            if request.method == "POST":
                check_post(request.headers, needs_sse=not self.config.json_response)
                return await self._post(request, principal)
            if request.method == "GET":
                return await self.sessions.open_get_stream(request, principal)
            if request.method == "DELETE":
                return await self.sessions.delete(request, principal)
            raise method_not_allowed()
        except HttpError as exc:
            return self._http_error(exc)
        except McpError as exc:
            request_id = getattr(exc, "request_id", None)
            return json_response(error_message(request_id, exc), exc.http_status)
        except UNAVAILABLE as exc:  # fail fast and clearly; service resumes with the backend
            logger.warning("Shared state unavailable (%s): answering 503", type(exc).__name__)
            return json_response(error_message(None, ServiceUnavailable()), 503,
                                 {"retry-after": "1"})

    def _http_error(self, exc: HttpError) -> Outgoing:
        if exc.code is None:
            return empty_response(exc.status, exc.headers)
        body = error_message(None, McpError(exc.message))
        body["error"]["code"] = exc.code
        return json_response(body, exc.status, exc.headers)

    # -- POST ---------------------------------------------------------------------------------
    async def _post(self, request: IncomingRequest, principal: Any) -> Outgoing:
        if len(request.body) > self.config.max_body:
            raise HttpError(413, "Payload Too Large")
        payload = load_json(request.body)
        if isinstance(payload, list):
            return await self.sessions.batch(request, payload, principal, self)
        message = parse_message(payload)
        try:
            return await self._route(request, message, principal)
        except McpError as exc:
            exc.request_id = getattr(message, "id", None)  # type: ignore[attr-defined]
            raise

    async def _route(self, request: IncomingRequest, message: Message, principal: Any
                     ) -> Outgoing:
        if isinstance(message, JsonRpcResponse):
            if HEADER_SESSION in request.headers:
                return await self.sessions.post(request, message, principal, self)
            raise InvalidRequest("Invalid request: responses are only accepted inside a session")
        era = classify(request.headers.get(HEADER_VERSION), message.params,
                       self.dispatcher.options.modern_versions,
                       self.dispatcher.options.legacy_versions)
        if era is Era.MODERN:
            return await self._post_modern(request, message, principal)
        return await self.sessions.post(request, message, principal, self)

    async def _post_modern(self, request: IncomingRequest,
                           message: JsonRpcRequest | JsonRpcNotification, principal: Any
                           ) -> Outgoing:
        if isinstance(message, JsonRpcNotification):
            return empty_response(202)
        ctx = self._modern_context(message, principal)
        check_method_headers(message.method, message.params, request.headers)
        if message.method == "tools/call":
            self._check_param_headers(message.params, request.headers)
        if message.method == "subscriptions/listen":
            return open_listen_stream(self, message, ctx)
        return await self.respond(message, ctx)

    def _modern_context(self, message: JsonRpcRequest, principal: Any) -> Context:
        meta = message.params["_meta"]
        capabilities = meta.get(META_CLIENT_CAPABILITIES)
        if not isinstance(capabilities, dict):
            raise InvalidMeta(f"Missing or invalid _meta[{META_CLIENT_CAPABILITIES!r}]")
        level = meta.get(META_LOG_LEVEL)
        if level is not None and level not in LOG_LEVELS:
            raise InvalidMeta(f"Unknown _meta[{META_LOG_LEVEL!r}] {level!r}")
        client_info = meta.get(META_CLIENT_INFO)
        return self.context(message, Era.MODERN, self.dispatcher.options.modern_versions[0],
                            principal, client_capabilities=capabilities, log_level=level,
                            client_info=client_info if isinstance(client_info, dict) else None)

    def _check_param_headers(self, params: dict[str, Any], headers: Any) -> None:
        spec = self.dispatcher.registry.tools.get(params.get("name"))  # type: ignore[arg-type]
        if spec is None:
            return
        declared = self._param_headers.get(spec.name)
        if declared is None or declared[0] is not spec:
            declared = (spec, header_properties(spec.signature.input_schema))
            self._param_headers[spec.name] = declared
        if declared[1]:
            check_param_headers(declared[1], params.get("arguments"), headers)

    # -- shared -------------------------------------------------------------------------------
    def context(self, message: JsonRpcRequest, era: Era, version: str, principal: Any,
                **fields: Any) -> Context:
        return Context(message.id, message.method, era, version, message.params,
                       principal=principal, principal_key=self.server.principal_key(principal),
                       run_sync=self.server.run_sync, server=self.server, **fields)

    async def respond(self, message: JsonRpcRequest, ctx: Context, *,
                      ids: StreamIds | None = None, streaming: bool = True,
                      extra: dict[str, str] | None = None) -> Outgoing:
        config = self.config
        run = RequestRun(self.dispatcher, message, ctx, ids=ids,
                         timeout=min(config.request_timeout, config.stream_max),
                         keepalive=config.keepalive)
        if config.json_response or not streaming:
            outgoing = await run.run_inline()
        else:
            outgoing = await self.sessions.track(ctx, run)
        if extra:
            outgoing.headers.extend(extra.items())
        return outgoing

