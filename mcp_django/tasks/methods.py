"""The tasks extension's methods for the modern method table (S-74..S-83)."""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import MethodNotFound
from ..core.tasks import LEGACY_TASKS_FROM, require_tasks


async def tasks_get(server: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_tasks(ctx)
    return await server.tasks.get(ctx, params)


async def tasks_update(server: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_tasks(ctx)
    return await server.tasks.update(ctx, params)


async def tasks_cancel(server: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_tasks(ctx)
    return await server.tasks.cancel(ctx, params)


MODERN_TASK_METHODS = {"tasks/get": tasks_get, "tasks/update": tasks_update,
                       "tasks/cancel": tasks_cancel}


def _legacy(handler_name: str) -> Any:
    async def handler(server: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        if ctx.protocol_version < LEGACY_TASKS_FROM:
            raise MethodNotFound(f"Method not found: tasks/* needs a {LEGACY_TASKS_FROM} session")
        return await getattr(server.tasks, handler_name)(ctx, params)
    return handler


LEGACY_TASK_METHODS = {"tasks/get": _legacy("get_legacy"), "tasks/result": _legacy("result_legacy"),
                       "tasks/list": _legacy("list_legacy"),
                       "tasks/cancel": _legacy("cancel_legacy")}
