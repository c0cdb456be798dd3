"""The standard method table of both eras (2025-11-25 and 2026-07-28 schemas)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..changes import honoured_filter
from ..context import Context
from . import lifecycle, prompts, resources, tools
from .params import (
    CallToolParams,
    CompleteParams,
    GetPromptParams,
    ListenParams,
    PagedParams,
    ReadResourceParams,
    SetLevelParams,
    UriParams,
)
from .table import BOTH, LEGACY, MODERN, MethodSpec, MethodTable

if TYPE_CHECKING:
    from .host import Host


async def listen(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """What a `subscriptions/listen` stream will carry: the honoured part of the filter (S-46);
    the transport opens the stream."""
    capabilities = server.capabilities(ctx.era, ctx.protocol_version)
    return {"notifications": honoured_filter(params["notifications"], capabilities)}


STANDARD_METHODS = (
    MethodSpec("tools/list", tools.list_tools, BOTH, PagedParams),
    MethodSpec("tools/call", tools.call_tool, BOTH, CallToolParams, name_param="name",
               asks_input=True, param_headers=True),
    MethodSpec("resources/list", resources.list_resources, BOTH, PagedParams),
    MethodSpec("resources/templates/list", resources.list_templates, BOTH, PagedParams),
    MethodSpec("resources/read", resources.read_resource, BOTH, ReadResourceParams,
               name_param="uri", asks_input=True),
    MethodSpec("prompts/list", prompts.list_prompts, BOTH, PagedParams),
    MethodSpec("prompts/get", prompts.get_prompt, BOTH, GetPromptParams, name_param="name",
               asks_input=True),
    MethodSpec("completion/complete", prompts.complete, BOTH, CompleteParams),
    MethodSpec("initialize", lifecycle.initialize, LEGACY),
    MethodSpec("ping", lifecycle.ping, LEGACY),
    MethodSpec("logging/setLevel", lifecycle.set_level, LEGACY, SetLevelParams),
    MethodSpec("resources/subscribe", resources.subscribe, LEGACY, UriParams),
    MethodSpec("resources/unsubscribe", resources.unsubscribe, LEGACY, UriParams),
    MethodSpec("server/discover", lifecycle.discover, MODERN),
    MethodSpec("subscriptions/listen", listen, MODERN, ListenParams, streams=True),
)


def standard_table() -> MethodTable:
    return MethodTable(STANDARD_METHODS)
