"""Era and Context of one stdio request: the HTTP rules with no headers to read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.dispatcher import Dispatcher
from ..core.jsonrpc import JsonRpcRequest
from ..core.versions import (
    DEFAULT_LEGACY_HEADER_VERSION,
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
