"""Dispatcher: the method tables of both eras and the ONLY exception → JSON-RPC error mapping."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..registry.base import Registry
from ..registry.signature import Signature
from .context import Context
from .errors import (
    RESOURCE_NOT_FOUND_LEGACY,
    InternalError,
    InvalidParams,
    McpError,
    MethodNotFound,
    ResourceNotFound,
)
from .inputs import InputRequired, StateCodec, request_binding
from .jsonrpc import JsonRpcRequest, error_message, result_message
from .methods.standard import standard_table
from .methods.table import MethodSpec, MethodTable
from .options import ServerOptions
from .shapes import shape_legacy
from .tasks import TASKS_EXTENSION, TaskBackend
from .versions import META_SERVER_INFO, Era, supports

logger = logging.getLogger("mcp_django.dispatch")


@dataclass(slots=True)
class Reply:
    """A JSON-RPC response message and the HTTP status it calls for (when nothing was sent yet)."""

    message: dict[str, Any]
    status: int = 200


class Dispatcher:
    """Runs one request against a registry, for either era."""

    def __init__(self, registry: Registry, options: ServerOptions, *,
                 methods: MethodTable | None = None,
                 visibility: Callable[[Context, Any], bool] | None = None,
                 state_codec: StateCodec | None = None,
                 tasks: TaskBackend | None = None) -> None:
        self.registry = registry
        self.options = options
        self.methods = methods if methods is not None else standard_table()
        self.visibility = visibility
        self.state_codec = state_codec
        self.tasks = tasks

    def knows(self, era: Era, method: str) -> bool:
        return self.methods.get(era, method) is not None

    def spec(self, ctx: Context, method: str) -> MethodSpec:
        """The method's spec for this request's era and revision (-32601 otherwise)."""
        return self.methods.find(ctx.era, method, ctx.protocol_version)

    async def handle(self, request: JsonRpcRequest, ctx: Context) -> Reply:
        try:
            spec = self.spec(ctx, request.method)
            spec.check(request.params)
            multi_round = ctx.era is Era.MODERN and spec.asks_input
            if multi_round:
                self._open_round(request, ctx)
            try:
                result = await spec.handler(self, ctx, request.params)
            except InputRequired as needed:
                if not multi_round:
                    raise
                result = self._input_required(needed, request, ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error, status = self.error_for(exc, ctx.era)
            return Reply(error_message(request.id, error), status)
        return Reply(result_message(request.id, self.shape(request.method, result, ctx)))

    def _open_round(self, request: JsonRpcRequest, ctx: Context) -> None:
        """Read `inputResponses` and verify `requestState` of a multi-round retry (S-37..S-40)."""
        ctx.input_responses = dict(request.params.get("inputResponses") or {})
        token = request.params.get("requestState")
        if token is None:
            return
        if self.state_codec is None:
            raise InvalidParams("Invalid requestState")
        payload = self.state_codec.open(token)
        if payload.get("b") != request_binding(request.method, request.params, ctx.principal_key):
            raise InvalidParams("requestState does not belong to this request")
        state, earlier = payload.get("s"), payload.get("i")
        ctx.state = state if isinstance(state, dict) else {}
        if isinstance(earlier, dict):  # answers of earlier rounds travel in the sealed state
            ctx.input_responses = {**earlier, **ctx.input_responses}

    def _input_required(self, needed: InputRequired, request: JsonRpcRequest, ctx: Context
                        ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "resultType": "input_required",
            "inputRequests": {key: item.to_wire() for key, item in needed.requests.items()},
        }
        if self.state_codec is not None:
            binding = request_binding(request.method, request.params, ctx.principal_key)
            result["requestState"] = self.state_codec.seal({
                "b": binding, "s": ctx.state, "i": ctx.answered, "r": secrets.token_hex(8)})
        return result

    def error_for(self, exc: BaseException, era: Era) -> tuple[McpError, int]:
        """Map any exception to a JSON-RPC error and the HTTP status for its era."""
        if not isinstance(exc, McpError):
            logger.exception("Unhandled error in handler", exc_info=exc)
            detail = f"Internal error: {exc}" if self.options.expose_error_details else None
            return InternalError(detail), 200
        if isinstance(exc, ResourceNotFound) and era is Era.LEGACY:
            exc.code = RESOURCE_NOT_FOUND_LEGACY
        if isinstance(exc, MethodNotFound):
            return exc, 404 if era is Era.MODERN else 200
        return exc, exc.http_status if era is Era.MODERN else 200

    def shape(self, method: str, result: dict[str, Any], ctx: Context) -> dict[str, Any]:
        if ctx.era is Era.LEGACY:
            result.pop("ttlMs", None)
            result.pop("cacheScope", None)
            return shape_legacy(method, result, ctx.protocol_version)
        if method == "tools/list":  # execution.taskSupport is a 2025-11-25 field (S-58)
            result["tools"] = [{k: v for k, v in tool.items() if k != "execution"}
                               for tool in result["tools"]]
        result.setdefault("resultType", "complete")
        meta = result.setdefault("_meta", {})
        meta[META_SERVER_INFO] = self.options.server_info()
        return result

    def cacheable(self, result: dict[str, Any], ttl_ms: int, scope: str | None = None
                  ) -> dict[str, Any]:
        """Cache hints for the six cacheable results (S-59); legacy shaping drops them."""
        result["ttlMs"] = ttl_ms
        result["cacheScope"] = scope or self.options.cache_scope
        return result

    def capabilities(self, era: Era, version: str) -> dict[str, Any]:
        registry = self.registry
        caps: dict[str, Any] = {"tools": {"listChanged": True}, "logging": {}}
        if registry.resources or registry.templates:
            caps["resources"] = {"subscribe": True, "listChanged": True}
        if registry.prompts:
            caps["prompts"] = {"listChanged": True}
        if registry.prompts or registry.templates:
            caps["completions"] = {}
        if self.tasks is not None and era is Era.MODERN:
            caps["extensions"] = {TASKS_EXTENSION: {}}
        elif self.tasks is not None and supports(version, "tasks"):
            caps["tasks"] = self.tasks.legacy_capability()
        for key, value in self.options.extra_capabilities.items():
            if key == "extensions" and isinstance(value, dict):  # merge, keep the tasks id
                caps["extensions"] = {**caps.get("extensions", {}), **value}
            else:
                caps[key] = value
        return caps

    def can_see(self, ctx: Context, spec: Any) -> bool:
        return self.visibility is None or self.visibility(ctx, spec)

    async def invoke(self, ctx: Context, func: Callable[..., Any], signature: Signature,
                     kwargs: dict[str, Any]) -> Any:
        """Call a registered function: await async ones, run sync ones off the event loop."""
        if signature.context_param:
            kwargs[signature.context_param] = ctx
        if signature.is_async:
            return await func(**kwargs)
        return await ctx.run_sync(func, **kwargs)
