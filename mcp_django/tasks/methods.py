"""The task methods of both protocols, as method-table entries bound to one runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.methods.params import Params, TaskParams, UpdateTaskParams
from ..core.methods.table import LEGACY, MODERN, Handler, MethodSpec
from ..core.tasks import require_tasks
from ..core.versions import FEATURES

if TYPE_CHECKING:
    from .runner import TaskRunner

RunnerMethod = Callable[[Context, dict[str, Any]], Awaitable[dict[str, Any]]]


def _modern(method: RunnerMethod) -> Handler:
    async def handler(dispatcher: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        require_tasks(ctx)  # -32021 naming the extension (S-70, S-81)
        return await method(ctx, params)
    return handler


def _legacy(method: RunnerMethod) -> Handler:
    async def handler(dispatcher: Any, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        return await method(ctx, params)
    return handler


def task_methods(runner: TaskRunner) -> list[MethodSpec]:
    """tasks/get|update|cancel for 2026-07-28 (S-74..S-83, `Mcp-Name` is the task id) and
    tasks/get|result|list|cancel for 2025-11-25 sessions (L-74..L-81)."""
    modern: list[tuple[str, RunnerMethod, type[Params]]] = [
        ("tasks/get", runner.get, TaskParams), ("tasks/update", runner.update, UpdateTaskParams),
        ("tasks/cancel", runner.cancel, TaskParams)]
    legacy: list[tuple[str, RunnerMethod, type[Params] | None]] = [
        ("tasks/get", runner.get_legacy, TaskParams),
        ("tasks/result", runner.result_legacy, TaskParams),
        ("tasks/list", runner.list_legacy, None),
        ("tasks/cancel", runner.cancel_legacy, TaskParams)]
    return [*(MethodSpec(name, _modern(method), MODERN, params, name_param="taskId")
              for name, method, params in modern),
            *(MethodSpec(name, _legacy(method), LEGACY, params, min_version=FEATURES["tasks"][0])
              for name, method, params in legacy)]
