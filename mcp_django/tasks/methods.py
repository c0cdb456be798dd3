"""The tasks extension's methods for the modern method table (S-74..S-83)."""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.tasks import require_tasks


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
