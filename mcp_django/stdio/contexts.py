"""Era and Context of one stdio request: the HTTP rules with no headers to read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.context import LOG_LEVELS, Context
from ..core.dispatcher import Dispatcher
from ..core.errors import InvalidMeta
from ..core.jsonrpc import JsonRpcRequest
from ..core.versions import (
    DEFAULT_LEGACY_HEADER_VERSION,
    META_CLIENT_CAPABILITIES,
    META_CLIENT_INFO,
    META_LOG_LEVEL,
    META_PROTOCOL_VERSION,
    Era,
    classify,
    request_meta,
)
from ..sessions.base import SessionData
from ..transport.exchange import new_context

if TYPE_CHECKING:
    from ..runtime import Runtime


def era_of(dispatcher: Dispatcher, params: dict[str, Any]) -> Era:
    """`classify()` as on HTTP, with the header version absent: stdio has no headers, so the
    `_meta` protocol version stands in for `MCP-Protocol-Version` (2026-07-28 transports
    §stdio); without it the message is legacy."""
    version = (request_meta(params) or {}).get(META_PROTOCOL_VERSION)
    options = dispatcher.options
    return classify(version if isinstance(version, str) else None, params,
                    options.modern_versions, options.legacy_versions)


def modern_context(runtime: Runtime, message: JsonRpcRequest, principal: Any) -> Context:
    """A 2026-07-28 request's context from its `_meta` (as `Endpoint._modern_context`)."""
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


def legacy_context(runtime: Runtime, message: JsonRpcRequest, principal: Any,
                   session: SessionData | None) -> Context:
    """A 2025 request's context: the process session's revision, capabilities and log level
    (before `initialize`, only `ping` and `initialize` itself get here, with no session)."""
    if session is None:
        return new_context(runtime, message, Era.LEGACY, DEFAULT_LEGACY_HEADER_VERSION,
                           principal)
    return new_context(runtime, message, Era.LEGACY, session.protocol_version, principal,
                       session=session, client_capabilities=session.client_capabilities,
                       client_info=session.client_info, log_level=session.log_level)
