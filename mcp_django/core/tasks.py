"""Tasks: the extension id, statuses and the backend protocol the Django layer implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .errors import MethodNotFound, MissingCapability

if TYPE_CHECKING:
    from ..registry.tools import ToolSpec
    from .context import Context

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
TERMINAL = ("completed", "failed", "cancelled")
RELATED_TASK = "io.modelcontextprotocol/related-task"


class TaskBackend(Protocol):
    """Runs task-capable tool calls and answers the task methods (Django: TaskRunner)."""

    async def call(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]
                   ) -> dict[str, Any]: ...

    async def call_legacy(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any],
                          task: dict[str, Any]) -> dict[str, Any]: ...


def declares_tasks(ctx: Context) -> bool:
    """The request opted in to the tasks extension (a legacy `tasks` capability does not count)."""
    extensions = ctx.client_capabilities.get("extensions")
    return isinstance(extensions, dict) and TASKS_EXTENSION in extensions


def require_tasks(ctx: Context) -> None:
    """-32021 naming the extension (S-70, S-81)."""
    if not declares_tasks(ctx):
        raise MissingCapability({"extensions": {TASKS_EXTENSION: {}}},
                                "This request needs the tasks extension")


def legacy_task_param(params: dict[str, Any], spec: ToolSpec) -> dict[str, Any] | None:
    """The `task` param of a 2025-11-25 task-augmented call, checked against the tool (L-72)."""
    task = params.get("task")
    if not isinstance(task, dict):
        if spec.task == "required":
            raise MethodNotFound(f"Tool {spec.name!r} must be called as a task")
        return None
    if spec.task is None:
        raise MethodNotFound(f"Tool {spec.name!r} does not support task-augmented calls")
    return task
