"""Tasks: the extension id, statuses and the backend protocol the Django layer implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .errors import InvalidParams, McpError, MethodNotFound, MissingCapability

if TYPE_CHECKING:
    from ..registry.tools import ToolSpec
    from .context import Context

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
TERMINAL = ("completed", "failed", "cancelled")
RELATED_TASK = "io.modelcontextprotocol/related-task"
TASK_LIMIT_REACHED = -32000  # JSON-RPC's implementation-defined server-error range


class TaskBackend(Protocol):
    """Runs task-capable tool calls and answers the task methods (Django: TaskRunner)."""

    async def call(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]
                   ) -> dict[str, Any]: ...

    async def call_legacy(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any],
                          task: dict[str, Any]) -> dict[str, Any]: ...

    def legacy_capability(self) -> dict[str, Any]: ...


class TaskLimitReached(McpError):
    """The caller already has `limit` live tasks: a task-augmented call is refused.

    2025-11-25 utilities/tasks §Resource Management: receivers SHOULD enforce (and document) a
    limit on concurrent tasks per requestor; neither revision names an error code for it.
    """

    code = TASK_LIMIT_REACHED
    default_message = "Too many live tasks"

    def __init__(self, limit: int) -> None:
        super().__init__(f"Too many live tasks: at most {limit} per caller "
                         "(TASKS_PER_PRINCIPAL); wait for one to end or cancel one",
                         {"setting": "TASKS_PER_PRINCIPAL", "limit": limit})


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
    requested_ttl(task)
    return task


def requested_ttl(task: dict[str, Any]) -> int | None:
    """`params.task.ttl`: None when absent or null, else a positive integer of milliseconds
    (2025-11-25 utilities/tasks §Task Parameters); booleans and other numbers get -32602."""
    ttl = task.get("ttl")
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
        raise InvalidParams("params.task.ttl must be a positive integer of milliseconds",
                            {"field": "params.task.ttl"})
    return ttl
