"""TaskRunner: turns slow task-capable calls into tasks, runs them with a lease, answers tasks/*."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ..core.context import Context
from ..core.errors import InvalidParams, McpError, MethodNotFound
from ..core.inputs import InputRequest
from ..core.jsonrpc import notification_message
from ..core.methods.pagination import paginate
from ..core.methods.tools import run_tool
from ..core.tasks import RELATED_TASK, TaskLimitReached, requested_ttl
from ..core.versions import Era
from ..routing.bus import WorkerBus
from ..supervisor import Ready, Supervisor
from . import store
from .binding import TaskBinding, in_thread
from .signals import TaskSignals, wait_for

if TYPE_CHECKING:
    from ..core.dispatcher import Dispatcher
    from ..registry.tools import ToolSpec
    from ..routing.groups import Groups

logger = logging.getLogger("mcp_django.tasks")
CAPABILITY_BY_METHOD = {"elicitation/create": "elicitation", "sampling/createMessage": "sampling",
                        "roots/list": "roots"}
ANONYMOUS = "anonymous"  # the principal key of a caller without credentials (policy.py)
FALLBACK_POLL_SECONDS = 2.0  # tasks/result and tasks/cancel re-read at least this often
__all__ = ["TaskBinding", "TaskOptions", "TaskRunner", "in_thread"]


async def _drop(message: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class TaskOptions:
    grace: float = 0.25
    ttl_ms: int = 3_600_000
    poll_interval_ms: int = 1000
    lease: float = 30.0
    per_principal: int = 20
    sweep_seconds: float = 60.0
    anonymous_tasks: bool = False
    input_timeout: float = 300.0
    sessionless_anonymous: bool = False  # STATELESS_LEGACY with ALLOW_ANONYMOUS

    @classmethod
    def from_settings(cls, settings: Any) -> TaskOptions:
        return cls(grace=float(settings["TASK_GRACE_SECONDS"]),
                   ttl_ms=int(settings["TASK_TTL_MS"]),
                   poll_interval_ms=int(settings["TASK_POLL_INTERVAL_MS"]),
                   lease=float(settings["TASK_LEASE_SECONDS"]),
                   per_principal=int(settings["TASKS_PER_PRINCIPAL"]),
                   sweep_seconds=float(settings["TASK_SWEEP_SECONDS"]),
                   anonymous_tasks=bool(settings["ANONYMOUS_TASKS"]),
                   input_timeout=float(settings["INPUT_TIMEOUT"]),
                   sessionless_anonymous=bool(settings["STATELESS_LEGACY"]
                                              and settings["ALLOW_ANONYMOUS"]))


class TaskRunner:
    """One per server. Calls that finish within `grace` answer directly; others become tasks.

    Built before the dispatcher (its methods go into the dispatcher's table), then bound to it.
    Each worker runs ONE heartbeat for all its tasks and one TTL sweep, under the supervisor.
    """

    def __init__(self, server_name: str, options: TaskOptions, bus: WorkerBus, groups: Groups,
                 supervisor: Supervisor) -> None:
        self.server_name = server_name
        self.bus = bus
        self.groups = groups
        self.supervisor = supervisor
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.options = options
        self.grace = options.grace
        self.ttl_ms = options.ttl_ms
        self.poll_interval_ms = options.poll_interval_ms
        self.lease = options.lease
        self.input_timeout = options.input_timeout
        self.beat_seconds = min(self.lease / 3, 1.0)
        self.running: dict[str, tuple[asyncio.Task[Any], TaskBinding]] = {}
        self.signals = TaskSignals()
        self._dispatcher: Dispatcher | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._has_work = asyncio.Event()
        bus.on("task.wake", lambda m: self._wake_local(m["task"]))
        bus.on("task.cancel", lambda m: self._cancel_local(m["task"]))
        bus.on("task.status", lambda m: self.signals.notify(m["task"]))

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

    def owner(self, ctx: Context) -> str | None:
        """The principal a caller's tasks belong to; None when it may not have tasks.

        2025-11-25 utilities/tasks §Task Isolation and Access Control: tasks are bound to the
        authorization context. Anonymous callers have none: with ANONYMOUS_TASKS their
        2025-11-25 tasks are bound to their session, and their 2026-07-28 tasks share one
        owner, the unguessable task id being the key (tasks extension §Security
        Considerations: there is no tasks/list to leak them).
        """
        if ctx.principal_key != ANONYMOUS:
            return ctx.principal_key
        if not self.options.anonymous_tasks:
            return None
        if ctx.era is Era.MODERN:
            return ANONYMOUS
        return f"{ANONYMOUS}:{ctx.session_id}" if ctx.session_id else None

    def legacy_capability(self) -> dict[str, Any]:
        """2025-11-25 `capabilities.tasks`; `list` only where every caller can be scoped."""
        capability: dict[str, Any] = {"list": {}, "cancel": {},
                                      "requests": {"tools": {"call": {}}}}
        if self.options.sessionless_anonymous:  # anonymous callers without a session
            del capability["list"]
        return capability

    # -- the worker's services: one heartbeat, one sweep -----------------------------------------
    def _start_services(self) -> None:
        """Once per process (per event loop, for tests), from the first task request."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        self._loop, self._has_work = loop, asyncio.Event()
        self.supervisor.keep_running("task heartbeat", self._heartbeat)
        self.supervisor.keep_running("task sweep", self._sweeper)

    async def _heartbeat(self, ready: Ready) -> None:
        ready()
        while True:
            if not self.running:
                self._has_work.clear()
                await self._has_work.wait()
            await asyncio.sleep(self.beat_seconds)
            await self.beat()

    async def beat(self) -> None:
        """Renew the lease of every task running here with one UPDATE; with one SELECT, stop
        those cancelled or deleted anywhere and wake parked ones answered on another worker.
        Tasks past their TTL are ended (failed) without a query."""
        ids = list(self.running)
        if not ids:
            return
        until = timezone.now() + timedelta(seconds=self.lease)
        rows = await in_thread(store.heartbeat)(ids, self.worker, until)
        now = asyncio.get_running_loop().time()
        for task_id in ids:
            entry = self.running.get(task_id)
            if entry is None:  # it ended meanwhile
                continue
            run, binding = entry
            row = rows.get(task_id)
            if binding.expires is not None and now >= binding.expires:
                binding.expired = True
                run.cancel()
            elif row is None or row[0]:
                run.cancel()
            elif binding.parked and row[1] == "working":
                binding.wake.set()

    async def _sweeper(self, ready: Ready) -> None:
        """Delete this server's tasks past their TTL every TASK_SWEEP_SECONDS (2025-11-25
        utilities/tasks §TTL and Resource Management); idempotent, any worker may sweep."""
        ready()
        while True:
            await in_thread(store.sweep)(self.server_name)
            await asyncio.sleep(self.options.sweep_seconds)

    # -- creation ---------------------------------------------------------------------------
    async def call(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]) -> dict[str, Any]:
        owner = self.owner(ctx)
        if owner is None:  # anonymous without ANONYMOUS_TASKS: the call runs without a task
            return await run_tool(self.dispatcher, ctx, spec, kwargs)
        self._start_services()
        limit = self.options.per_principal
        if await in_thread(store.live_count)(self.server_name, owner) >= limit:
            raise TaskLimitReached(limit)
        run = self.supervisor.spawn(run_tool(self.dispatcher, ctx, spec, kwargs), "task run")
        if spec.task != "required":
            try:
                await asyncio.wait({run}, timeout=self.grace)
            except asyncio.CancelledError:
                run.cancel()
                raise
            if run.done():
                return run.result()  # the immediate-result shortcut (or an MRTR round)
        try:
            task, binding = await self._open(ctx, spec, owner, ttl_ms=self.ttl_ms)
        except BaseException:
            run.cancel()
            raise
        self._supervise(task.task_id, run, binding, Era.MODERN)
        return {"resultType": "task", **store.wire_fields(task)}

    async def call_legacy(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any],
                          task_param: dict[str, Any]) -> dict[str, Any]:
        """A 2025-11-25 task-augmented call: the task exists before the tool runs (L-71)."""
        owner = self.owner(ctx)
        if owner is None:
            raise MethodNotFound("Task-augmented calls are not available to anonymous callers "
                                 "here (they need ANONYMOUS_TASKS and a session)")
        # 2025-11-25 utilities/tasks §TTL and Resource Management: receivers MAY override the
        # requested ttl and SHOULD enforce a maximum; ours is TASK_TTL_MS.
        ttl_ms = min(requested_ttl(task_param) or self.ttl_ms, self.ttl_ms)
        self._start_services()
        task, binding = await self._open(ctx, spec, owner, era="legacy",
                                         session_id=ctx.session_id or "", ttl_ms=ttl_ms)
        ctx.emit = _drop  # the call's stream ends with this answer; the task goes on
        run = self.supervisor.spawn(run_tool(self.dispatcher, ctx, spec, kwargs), "task run")
        self._supervise(task.task_id, run, binding, Era.LEGACY)
        return {"task": store.legacy_fields(task)}

    async def _open(self, ctx: Context, spec: ToolSpec, owner: str, *, ttl_ms: int,
                    **fields: Any) -> tuple[store.McpTask, TaskBinding]:
        """Commit the task row (before any answer names it, S-72) and bind the call to it;
        from then on the call's questions park the task. Over TASKS_PER_PRINCIPAL: refused."""
        binding = TaskBinding(self, ttl_ms)
        ctx.task = binding
        task = await in_thread(store.create)(
            self.options.per_principal, server=self.server_name, principal=owner,
            tool=spec.name, ttl_ms=ttl_ms,
            user=ctx.principal if getattr(ctx.principal, "pk", None) is not None else None,
            arguments=ctx.params.get("arguments") or {},
            poll_interval_ms=self.poll_interval_ms, lease_owner=self.worker,
            lease_expires_at=timezone.now() + timedelta(seconds=self.lease), **fields)
        if task is None:
            ctx.task = None
            raise TaskLimitReached(self.options.per_principal)
        binding.task_id = task.task_id
        binding.created.set()
        return task, binding

    def _supervise(self, task_id: str, run: asyncio.Task[Any], binding: TaskBinding,
                   era: Era) -> None:
        self.running[task_id] = (run, binding)
        self._has_work.set()
        self.supervisor.spawn(self.bus.start(), "task bus")  # updates may come elsewhere
        self.supervisor.spawn(self._finish(task_id, run, binding, era), "task finish")

    async def _finish(self, task_id: str, run: asyncio.Task[Any], binding: TaskBinding,
                      era: Era) -> None:
        try:
            await asyncio.wait({run})
        finally:
            self.running.pop(task_id, None)
        await in_thread(store.finish)(task_id, **self._outcome(run, binding, era))
        await self.announce(task_id)

    def _outcome(self, run: asyncio.Task[Any], binding: TaskBinding, era: Era
                 ) -> dict[str, Any]:
        if run.cancelled() and binding.expired:
            # tasks extension §Task Lifecycle: a server MAY mark a task failed once its TTL
            # elapsed; 2025-11-25 utilities/tasks §TTL and Resource Management likewise.
            message = f"The task's TTL ({binding.ttl_ms} ms) elapsed before it finished"
            return {"status": "failed", "status_message": message,
                    "error": {"code": -32603, "message": message}}
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
        """A status change: wake the waiters here, on other workers (2025-11-25 tasks, whose
        tasks/result and tasks/cancel wait) and the session's GET stream (L-82)."""
        self.signals.notify(task_id)
        task = await in_thread(store.McpTask.objects.filter(task_id=task_id).first)()
        if task is None or task.era != "legacy":
            return
        try:
            await self.bus.broadcast("task.status", task=task_id)
        except Exception:  # waiters elsewhere fall back to re-reading the row
            logger.warning("Could not tell other workers that task %s changed", task_id,
                           exc_info=True)
        if task.session_id:
            message = notification_message("notifications/tasks/status",
                                           store.legacy_fields(task))
            await self.groups.send_session(task.session_id, message)

    # -- tasks/get, tasks/update, tasks/cancel ----------------------------------------------
    async def load(self, ctx: Context, params: dict[str, Any]) -> store.McpTask:
        self._start_services()
        task = await in_thread(store.load)(params.get("taskId"), self.server_name,
                                           self.owner(ctx))
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
            await self.announce(task.task_id)
        return {}

    # -- 2025-11-25: tasks/get, tasks/result, tasks/list, tasks/cancel (L-74..L-81) --------------
    async def get_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        return store.legacy_fields(await self.load(ctx, params))

    async def result_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        """Block until the task ends (2025-11-25 utilities/tasks §Result Retrieval), relaying
        its questions on this stream meanwhile (L-76, L-77). Woken by the task's status
        changes, here or through the bus; a re-read every few seconds is the fallback."""
        with self.signals.watch(str(params.get("taskId"))) as changed:
            while True:
                changed.clear()
                task = await self.load(ctx, params)
                if task.is_terminal:
                    return self._payload(task)
                if task.status == "input_required" and task.input_requests and ctx.asker:
                    await self._relay(ctx, task)
                else:
                    await wait_for(changed, FALLBACK_POLL_SECONDS)

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
        """The caller's tasks within their TTL; nothing for a caller that cannot be scoped."""
        owner = self.owner(ctx)
        tasks = [] if owner is None else await in_thread(store.owned)(self.server_name, owner)
        page, next_cursor = paginate(tasks, params, self.dispatcher.options.page_size)
        result: dict[str, Any] = {"tasks": [store.legacy_fields(task) for task in page]}
        if next_cursor:
            result["nextCursor"] = next_cursor
        return result

    async def cancel_legacy(self, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        """Move a running task to cancelled before answering (2025-11-25 utilities/tasks §Task
        Cancellation, L-79): its runner, here or on another worker, ends it and says so; if
        none does within the lease, it is ended here."""
        task = await self.load(ctx, params)
        if task.is_terminal:
            raise InvalidParams(f"Task {task.task_id} has already ended ({task.status})")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease
        with self.signals.watch(task.task_id) as changed:
            await self.cancel(ctx, params)
            while True:
                changed.clear()
                task = await self.load(ctx, params)
                if task.is_terminal or loop.time() >= deadline:
                    break
                await wait_for(changed, min(FALLBACK_POLL_SECONDS, deadline - loop.time()))
        if not task.is_terminal:
            await in_thread(store.finish)(task.task_id, status="cancelled",
                                          status_message="Cancelled")
            task = await self.load(ctx, params)
        return store.legacy_fields(task)
