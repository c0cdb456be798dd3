"""Endpoint: one MCP path for both eras, and the ONLY place an exception becomes HTTP."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from django.db import InterfaceError, OperationalError

from ..core.errors import InternalError, InvalidRequest, McpError, ServiceUnavailable
from ..core.headers import check_method_headers, check_param_headers, header_properties
from ..core.jsonrpc import (
    JsonRpcNotification,
    JsonRpcResponse,
    error_message,
    load_json,
    parse_message,
)
from ..core.versions import (
    Era,
    classify,
)
from .answers import PendingAnswers
from .exchange import Exchange, modern_context
from .gate import SessionGate
from .http import (
    HEADER_SESSION,
    HEADER_VERSION,
    ClientGone,
    HttpError,
    IncomingRequest,
    check_post,
    method_not_allowed,
    payload_too_large,
)
from .inflight import is_request_id
from .legacy import LegacyFlow
from .listen import open_listen_stream
from .responses import Outgoing, empty_response, json_response
from .run import Runs

if TYPE_CHECKING:
    from ..runtime import Runtime

logger = logging.getLogger("mcp_django.transport")


UNAVAILABLE: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError,
                                                OperationalError, InterfaceError)
REDIS_UNAVAILABLE = ("ConnectionError", "TimeoutError", "OutOfMemoryError")


def unavailable(exc: BaseException) -> bool:
    """Shared state (database, cache, layer) is down or full: 503, not a bug. Redis errors
    count only once redis is imported (nothing else can raise them; importing it here would
    cost every process that never uses it ~0.15 s of start-up)."""
    if isinstance(exc, UNAVAILABLE):
        return True
    redis_errors = sys.modules.get("redis.exceptions")
    return redis_errors is not None and isinstance(exc, tuple(
        getattr(redis_errors, name) for name in REDIS_UNAVAILABLE))


class Endpoint:
    """Serves one runtime over Streamable HTTP. The stages of a request, in order: origin →
    policy (authenticate, throttle) → body limit → parse → era → session gate (legacy) →
    `Runs` (every request, batch items and initialize included)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.config = config = runtime.config
        self.dispatcher = runtime.dispatcher
        inflight = runtime.inflight
        gate = SessionGate.for_runtime(runtime)
        self.runs = Runs(self.dispatcher, config, inflight, runtime.supervisor)
        self.legacy = LegacyFlow(runtime, gate, self.runs, inflight,
                                 PendingAnswers(runtime.bus, config.input_timeout))
        self._param_headers: dict[str, Any] = {}

    async def handle(self, request: IncomingRequest) -> Outgoing:
        exchange = Exchange(request)
        try:
            return await self._serve(exchange)
        except ClientGone:
            raise
        except HttpError as exc:
            return http_error(exc)
        except McpError as exc:
            request_id = exchange.request_id if exchange.message is not None else \
                getattr(exc, "request_id", None)
            return json_response(error_message(request_id, exc), exc.http_status)
        except Exception as exc:
            if unavailable(exc):  # fail fast and clearly; service resumes with the backend
                logger.warning("Shared state unavailable (%s): answering 503",
                               type(exc).__name__)
                return json_response(error_message(None, ServiceUnavailable()), 503,
                                     {"retry-after": "1"})
            # the last resort: a JSON answer, never the server's HTML page
            logger.exception("Unhandled error serving an MCP request")
            request_id = exchange.request_id if exchange.message is not None else \
                peek_id(request.body)
            return json_response(error_message(request_id, InternalError()), 500)

    async def _serve(self, exchange: Exchange) -> Outgoing:
        request = exchange.request
        self.runtime.origin_policy.check(request.headers)
        exchange.principal = await self.runtime.policy.admit(request)
        await request.load_body()
        if request.method == "POST":
            check_post(request.headers, needs_sse=not self.config.json_response)
            return await self._post(exchange)
        if request.method in ("GET", "DELETE") and self.config.stateless_legacy:
            raise method_not_allowed("POST")
        if request.method == "GET":
            return await self.legacy.open_get_stream(request, exchange.principal)
        if request.method == "DELETE":
            return await self.legacy.delete(request, exchange.principal)
        raise method_not_allowed()

    async def _post(self, exchange: Exchange) -> Outgoing:
        request = exchange.request
        if len(request.body) > self.config.max_body:
            raise payload_too_large(self.config.max_body)
        payload = load_json(request.body)
        if isinstance(payload, list):
            return await self.legacy.batch(request, payload, exchange.principal)
        exchange.message = message = parse_message(payload)
        if isinstance(message, JsonRpcResponse):
            if HEADER_SESSION in request.headers:
                return await self.legacy.post(exchange)
            raise InvalidRequest("Invalid request: responses are only accepted inside a session")
        options = self.dispatcher.options
        exchange.era = classify(request.headers.get(HEADER_VERSION), message.params,
                                options.modern_versions, options.legacy_versions)
        if exchange.era is Era.MODERN:
            return await self._post_modern(exchange)
        return await self.legacy.post(exchange)

    async def _post_modern(self, exchange: Exchange) -> Outgoing:
        if isinstance(exchange.message, JsonRpcNotification):
            return empty_response(202)
        message, headers = exchange.call, exchange.request.headers
        exchange.ctx = modern_context(self.runtime, message, exchange.principal)
        spec = self.dispatcher.methods.get(Era.MODERN, message.method)
        check_method_headers(message.method, message.params, headers,
                             spec.name_param if spec is not None else None)
        if spec is not None and spec.param_headers:
            self._check_param_headers(message.params, headers)
        if spec is not None and spec.streams:
            return await open_listen_stream(self.runtime, spec, exchange)
        return await self.runs.respond(exchange)

    def _check_param_headers(self, params: dict[str, Any], headers: Any) -> None:
        name = params.get("name")
        spec = self.dispatcher.registry.tools.get(name) if isinstance(name, str) else None
        if spec is None:
            return
        declared = self._param_headers.get(spec.name)
        if declared is None or declared[0] is not spec:
            declared = (spec, header_properties(spec.signature.input_schema))
            self._param_headers[spec.name] = declared
        if declared[1]:
            check_param_headers(declared[1], params.get("arguments"), headers)


def peek_id(body: bytes) -> Any:
    """The id of a JSON-RPC request body that was never parsed (for the last-resort answer)."""
    try:
        value = json.loads(body).get("id")
    except (ValueError, AttributeError, RecursionError):
        return None
    return value if is_request_id(value) else None


def http_error(exc: HttpError) -> Outgoing:
    """An `HttpError` as its status, with a JSON-RPC error body unless it has no code."""
    if exc.code is None:
        return empty_response(exc.status, exc.headers)
    body = error_message(None, McpError(exc.message, exc.data, code=exc.code))
    return json_response(body, exc.status, exc.headers)
