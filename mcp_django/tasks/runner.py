"""TaskRunner: turns slow task-capable calls into tasks, runs them with a lease, answers tasks/*."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.utils import timezone

from ..core.context import Context
from ..core.errors import InvalidParams, McpError
from ..core.inputs import InputRequest, check_response
from ..core.jsonrpc import notification_message
from ..core.methods.pagination import paginate
from ..core.methods.tools import run_tool
from ..core.tasks import RELATED_TASK
from ..core.versions import Era
from ..routing.bus import WorkerBus
from ..supervisor import Supervisor
from . import store

if TYPE_CHECKING:
    from ..core.dispatcher import Dispatcher
    from ..registry.tools import ToolSpec
    from ..routing.groups import Groups

logger = logging.getLogger("mcp_django.tasks")
CAPABILITY_BY_METHOD = {"elicitation/create": "elicitation", "sampling/createMessage": "sampling",
                        "roots/list": "roots"}


async def _drop(message: dict[str, Any]) -> None:
    return None


def in_thread(func: Callable[..., Any]) -> Callable[..., Any]:
    return database_sync_to_async(func, thread_sensitive=False)


class TaskBinding:
    """The link between a running tool call and its task row; `ctx.ask` parks here."""

    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner
        self.task_id: str | None = None
        self.created = asyncio.Event()
        self.wake = asyncio.Event()
        self.used_keys: set[str] = set()

    async def ask(self, requests: dict[str, InputRequest]) -> dict[str, Any]:
        """Move the task to input_required and wait until tasks/update answers every key."""
        await self.created.wait()
        assert self.task_id is not None
        keys = {key: self._fresh_key(key) for key in requests}
        task = await in_thread(store.McpTask.objects.get)(task_id=self.task_id)
        outstanding = {**task.input_requests,
                       **{keys[key]: item.to_wire() for key, item in requests.items()}}
        await in_thread(store.update)(self.task_id, status="input_required",
                                      input_requests=outstanding)
        await self.runner.announce(self.task_id)
        answers = await self._wait_for_answers(set(keys.values()))
        return {key: check_response(item, answers[keys[key]]) for key, item in requests.items()}

    def _fresh_key(self, key: str) -> str:
        """Task input keys are never reused within a task's life (S-77)."""
        candidate, n = key, 1
        while candidate in self.used_keys:
            n += 1
            candidate = f"{key}_{n}"
        self.used_keys.add(candidate)
        return candidate

    async def _wait_for_answers(self, keys: set[str]) -> dict[str, Any]:
        while True:
            self.wake.clear()
            task = await in_thread(store.McpTask.objects.get)(task_id=self.task_id)
            if keys <= set(task.input_responses):
                return {key: task.input_responses[key] for key in keys}
            try:  # woken by tasks/update on this worker; polls for the others
                async with asyncio.timeout(self.runner.poll_seconds):
                    await self.wake.wait()
            except TimeoutError:
                pass


@dataclass(frozen=True)
class TaskOptions:
    grace: float = 0.25
    ttl_ms: int = 3_600_000
    poll_interval_ms: int = 1000
    lease: float = 30.0

    @classmethod
    def from_settings(cls, settings: Any) -> TaskOptions:
        return cls(float(settings["TASK_GRACE_SECONDS"]), int(settings["TASK_TTL_MS"]),
                   int(settings["TASK_POLL_INTERVAL_MS"]), float(settings["TASK_LEASE_SECONDS"]))


class TaskRunner:
    """One per server. Calls that finish within `grace` answer directly; others become tasks.

    Built before the dispatcher (its methods go into the dispatcher's table), then bound to it.
    """

    def __init__(self, server_name: str, options: TaskOptions, bus: WorkerBus, groups: Groups,
                 supervisor: Supervisor) -> None:
        self.server_name = server_name
        self.bus = bus
        self.groups = groups
        self.supervisor = supervisor
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.grace = options.grace
        self.ttl_ms = options.ttl_ms
        self.poll_interval_ms = options.poll_interval_ms
        self.lease = options.lease
        self.poll_seconds = 0.25
        self.running: dict[str, tuple[asyncio.Task[Any], TaskBinding]] = {}
        self._dispatcher: Dispatcher | None = None
        bus.on("task.wake", lambda m: self._wake_local(m["task"]))
        bus.on("task.cancel", lambda m: self._cancel_local(m["task"]))

    def bind(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            raise RuntimeError("TaskRunner.bind(dispatcher) was not called")
        return self._dispatcher

    def _wake_local(self, task_id: str) -> bool:
        if task_id in self.running:
            self.running[task_id][1].wake.set()
        return task_id in self.running

    def _cancel_local(self, task_id: str) -> bool:
        if task_id in self.running:
            self.running[task_id][0].cancel()
        return task_id in self.running

    # -- creation ---------------------------------------------------------------------------
    async def call(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]) -> dict[str, Any]:
        run = self.supervisor.spawn(run_tool(self.dispatcher, ctx, spec, kwargs), "task run")
        if spec.task != "required":
            try:
                await asyncio.wait({run}, timeout=self.grace)
            except asyncio.CancelledError:
                run.cancel()
                raise
            if run.done():
                return run.result()  # the immediate-result shortcut (or an MRTR round)
        task, binding = await self._open(ctx, spec, ttl_ms=self.ttl_ms)
        self._supervise(task.task_id, run, binding, Era.MODERN)
        return {"resultType": "task", **store.wire_fields(task)}

    async def call_legacy(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any],
                          task_param: dict[str, Any]) -> dict[str, Any]:
        """A 2025-11-25 task-augmented call: the task exists before the tool runs (L-71)."""
        ttl = task_param.get("ttl")
        task, binding = await self._open(
            ctx, spec, era="legacy", session_id=ctx.session_id or "",
            ttl_ms=ttl if isinstance(ttl, int) and ttl > 0 else self.ttl_ms)
        ctx.emit = _drop  # the call's stream ends with this answer; the task goes on
        run = self.supervisor.spawn(run_tool(self.dispatcher, ctx, spec, kwargs), "task run")
        self._supervise(task.task_id, run, binding, Era.LEGACY)
        return {"task": store.legacy_fields(task)}

    async def _open(self, ctx: Context, spec: ToolSpec, **fields: Any
                    ) -> tuple[store.McpTask, TaskBinding]:
        """Commit the task row (before any answer names it, S-72) and bind the call to it;
        from then on the call's questions park the task."""
        binding = TaskBinding(self)
        ctx.task = binding
        task = await in_thread(store.create)(
            server=self.server_name, principal=ctx.principal_key, tool=spec.name,
            user=ctx.principal if getattr(ctx.principal, "pk", None) is not None else None,
            arguments=ctx.params.get("arguments") or {},
            poll_interval_ms=self.poll_interval_ms, lease_owner=self.worker,
            lease_expires_at=timezone.now() + timedelta(seconds=self.lease), **fields)
        binding.task_id = task.task_id
        binding.created.set()
        return task, binding

    def _supervise(self, task_id: str, run: asyncio.Task[Any], binding: TaskBinding,
                   era: Era) -> None:
        self.running[task_id] = (run, binding)
        self.supervisor.spawn(self.bus.start(), "task bus")  # updates may come elsewhere
        heartbeat = self.supervisor.spawn(self._heartbeat(task_id, run), "task heartbeat")
        self.supervisor.spawn(self._finish(task_id, run, heartbeat, era), "task finish")

    async def _heartbeat(self, task_id: str, run: asyncio.Task[Any]) -> None:
        """Renew the lease; honour a cancel requested on any worker."""
        while not run.done():
            await asyncio.sleep(min(self.lease / 3, self.poll_seconds * 4))
            task = await in_thread(store.McpTask.objects.filter(task_id=task_id).first)()
            if task is None or task.cancel_requested:
                run.cancel()
                return
            await in_thread(store.update)(
                task_id, lease_expires_at=timezone.now() + timedelta(seconds=self.lease))

    async def _finish(self, task_id: str, run: asyncio.Task[Any],
                      heartbeat: asyncio.Task[Any], era: Era) -> None:
        try:
            await asyncio.wait({run})
        finally:
            heartbeat.cancel()
            self.running.pop(task_id, None)
        await in_thread(store.finish)(task_id, **self._outcome(run, era))
        await self.announce(task_id)

    def _outcome(self, run: asyncio.Task[Any], era: Era) -> dict[str, Any]:
        if run.cancelled():
            return {"status": "cancelled", "status_message": "Cancelled"}
        exc = run.exception()
        if exc is not None:
            error, _status = self.dispatcher.error_for(exc, Era.MODERN)
            return {"status": "failed", "error": error.to_error(), "status_message": error.message}
        if era is Era.LEGACY:  # 2025-11-25: a tool error fails the task (L-80)
            result = run.result()
            if result.get("isError"):
                return {"status": "failed", "result": result,
                        "status_message": "The tool reported an error"}
            return {"status": "completed", "result": result}
        result = {"resultType": "complete", **run.result()}
        return {"status": "completed", "result": result}  # isError results too (S-78)

    async def announce(self, task_id: str) -> None:
        """`notifications/tasks/status` on a 2025-11-25 session's GET stream (L-82)."""
        task = await in_thread(store.McpTask.objects.filter(task_id=task_id).first)()
        if task is None or task.era != "legacy" or not task.session_id:
            return
        message = notification_message("notifications/tasks/status", store.legacy_fields(task))
        await self.groups.send_session(task.session_id, message)

    # -- tasks/get, tasks/update, tasks/cancel ----------------------------------------------
    async def load(self, ctx: Context, params: dict[str, Any]) -> store.McpTask:
        task = await in_thread(store.load)(params.get("taskId"), self.server_name,
                                           ctx.principal_key)
        if task is None:
            raise InvalidParams(f"Unknown task: {params.get('taskId')}")
        return await in_thread(store.fail_if_lease_expired)(task, task.task_id in self.running)

    async def get(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        return store.detailed(await self.load(ctx, params))

    async def update(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        task = await self.load(ctx, params)
        responses = params.get("inputResponses")
        if not isinstance(responses, dict):
            raise InvalidParams("params.inputResponses must be an object")
        await in_thread(store.answer)(task.task_id, responses)
        if not self._wake_local(task.task_id):
            await self.bus.broadcast("task.wake", task=task.task_id)
        return {}

    async def cancel(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        task = await self.load(ctx, params)
        if task.is_terminal:
            return {}
        await in_thread(store.request_cancel)(task.task_id)
        if self._cancel_local(task.task_id):
            return {}
        await self.bus.broadcast("task.cancel", task=task.task_id)
        if task.lease_expires_at is None or task.lease_expires_at < timezone.now():
            await in_thread(store.finish)(task.task_id, status="cancelled",
                                          status_message="Cancelled")
        return {}

    # -- 2025-11-25: tasks/get, tasks/result, tasks/list, tasks/cancel (L-74..L-81) --------------
    async def get_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        return store.legacy_fields(await self.load(ctx, params))

    async def result_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        """Wait for the end; meanwhile relay the task's questions on this stream (L-76, L-77)."""
        while True:
            task = await self.load(ctx, params)
            if task.is_terminal:
                return self._payload(task)
            if task.status == "input_required" and task.input_requests and ctx.asker:
                await self._relay(ctx, task)
            else:
                await asyncio.sleep(self.poll_seconds)

    async def _relay(self, ctx: Context, task: store.McpTask) -> None:
        related = {RELATED_TASK: {"taskId": task.task_id}}
        requests = {key: InputRequest(item["method"], {**item.get("params", {}),
                                                       "_meta": related},
                                      CAPABILITY_BY_METHOD.get(item["method"], "elicitation"))
                    for key, item in task.input_requests.items()}
        assert ctx.asker is not None
        answers = await ctx.asker(ctx, requests)
        await in_thread(store.answer)(task.task_id, answers)
        if not self._wake_local(task.task_id):
            await self.bus.broadcast("task.wake", task=task.task_id)

    @staticmethod
    def _payload(task: store.McpTask) -> dict[str, Any]:
        related = {RELATED_TASK: {"taskId": task.task_id}}
        if task.result is not None:
            return {**task.result, "_meta": {**task.result.get("_meta", {}), **related}}
        error = task.error or {"code": -32603, "message": task.status_message or task.status}
        raise McpError(error.get("message"), error.get("data"), code=error.get("code"))

    async def list_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        tasks = await in_thread(store.owned)(self.server_name, ctx.principal_key)
        page, next_cursor = paginate(tasks, params, self.dispatcher.options.page_size)
        result: dict[str, Any] = {"tasks": [store.legacy_fields(task) for task in page]}
        if next_cursor:
            result["nextCursor"] = next_cursor
        return result

    async def cancel_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        """Move a running task to cancelled before answering (L-79)."""
        task = await self.load(ctx, params)
        if task.is_terminal:
            raise InvalidParams(f"Task {task.task_id} has already ended ({task.status})")
        await self.cancel(ctx, params)
        for _ in range(int(self.lease / self.poll_seconds)):
            task = await self.load(ctx, params)
            if task.is_terminal:
                break
            await asyncio.sleep(self.poll_seconds / 5)
        else:
            await in_thread(store.finish)(task.task_id, status="cancelled",
                                          status_message="Cancelled")
            task = await self.load(ctx, params)
        return store.legacy_fields(task)
