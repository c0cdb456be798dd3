"""Exchange: what the stages of one POST learn about it, carried from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import LOG_LEVELS, Context
from ..core.errors import InvalidMeta
from ..core.jsonrpc import JsonRpcRequest, Message
from ..core.versions import (
    META_CLIENT_CAPABILITIES,
    META_CLIENT_INFO,
    META_LOG_LEVEL,
    META_PROTOCOL_VERSION,
    Era,
)
from ..sessions.base import SessionData
from .http import IncomingRequest

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .ids import StreamIds


@dataclass(eq=False)
class Exchange:
    """Filled in order: request → principal → message → era → session → ctx → ids."""

    request: IncomingRequest
    principal: Any = None
    message: Message | None = None
    era: Era | None = None
    session: SessionData | None = None
    ctx: Context | None = None
    ids: StreamIds | None = None

    @property
    def request_id(self) -> Any:
        return getattr(self.message, "id", None)

    @property
    def call(self) -> JsonRpcRequest:
        """The message, once a stage has established it is a request."""
        assert isinstance(self.message, JsonRpcRequest)
        return self.message


def new_context(runtime: Runtime, message: JsonRpcRequest, era: Era, version: str,
                principal: Any, **fields: Any) -> Context:
    return Context(message.id, message.method, era, version, message.params,
                   principal=principal, principal_key=runtime.principal_key(principal),
                   run_sync=runtime.run_sync, server=runtime.facade, **fields)


def modern_context(runtime: Runtime, message: JsonRpcRequest, principal: Any) -> Context:
    """A 2026-07-28 request's context from its `_meta` (2026-07-28 basic §_meta): the client's
    capabilities (required), log level and info; HTTP and stdio alike."""
    meta = message.params["_meta"]
    capabilities = meta.get(META_CLIENT_CAPABILITIES)
    if not isinstance(capabilities, dict):
        raise InvalidMeta(f"Missing or invalid _meta[{META_CLIENT_CAPABILITIES!r}]")
    level = meta.get(META_LOG_LEVEL)
    if level is not None and level not in LOG_LEVELS:
        raise InvalidMeta(f"Unknown _meta[{META_LOG_LEVEL!r}] {level!r}")
    client_info = meta.get(META_CLIENT_INFO)
    return new_context(runtime, message, Era.MODERN, meta[META_PROTOCOL_VERSION], principal,
                       client_capabilities=capabilities, log_level=level,
                       client_info=client_info if isinstance(client_info, dict) else None)
