"""tools/list and tools/call."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ...registry.content import text, to_content_list
from ...registry.signature import validation_message
from ..context import Context
from ..errors import InvalidParams, McpError, ToolError
from ..inputs import InputRequired
from ..jsonrpc import dump
from ..tasks import declares_tasks, legacy_task_param, require_tasks
from ..versions import Era, supports
from .pagination import list_result

if TYPE_CHECKING:
    from ...registry.tools import ToolSpec
    from .host import Host

logger = logging.getLogger("mcp_django.dispatch")


async def list_tools(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tools = server.registry.tools.values()
    visible = [spec for spec in tools if server.can_see(ctx, spec)]
    per_caller = any(getattr(spec, "permissions", None) is not None for spec in tools)
    return list_result(server, "tools", visible, params, per_caller)


async def call_tool(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = find_tool(server, ctx, params["name"])
    arguments = params.get("arguments") or {}
    try:
        kwargs = spec.signature.validate(arguments)
    except ValidationError as exc:
        return error_result(validation_message(exc))
    if server.tasks is not None and ctx.era is Era.MODERN and spec.task is not None:
        if spec.task == "required":
            require_tasks(ctx)
        if declares_tasks(ctx):
            return await server.tasks.call(ctx, spec, kwargs)
    elif (server.tasks is not None and ctx.era is Era.LEGACY
          and supports(ctx.protocol_version, "tasks")):
        task = legacy_task_param(params, spec)
        if task is not None:
            return await server.tasks.call_legacy(ctx, spec, kwargs, task)
    return await run_tool(server, ctx, spec, kwargs)


def find_tool(server: Host, ctx: Context, name: Any) -> ToolSpec:
    """The tool a caller may use; hidden and unknown tools look the same (-32602)."""
    if not isinstance(name, str):
        raise InvalidParams("params.name must be a string")
    spec = server.registry.tools.get(name)
    if spec is None or not server.can_see(ctx, spec):
        raise InvalidParams(f"Unknown tool: {name}")
    return spec


async def run_tool(
    server: Host, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]
) -> dict[str, Any]:
    try:
        value = await server.invoke(ctx, spec.func, spec.signature, kwargs)
    except (McpError, InputRequired):
        raise
    except ToolError as exc:
        return error_result(str(exc) or "Tool error")
    except Exception:
        logger.exception("Tool %s raised", spec.name)
        return error_result("Tool execution failed")
    return tool_result(spec, value)


def tool_result(spec: ToolSpec, value: Any) -> dict[str, Any]:
    structured = spec.signature.structured(value)
    if structured is not None:
        return {"content": [text(dump(structured).decode())], "structuredContent": structured,
                "isError": False}
    content = to_content_list(value)
    if content is None:
        content = [] if value is None else [text(dump(value).decode())]
    return {"content": content, "isError": False}


def error_result(message: str) -> dict[str, Any]:
    return {"content": [text(message)], "isError": True}
