"""TaskRunner in process, on the real database: what parked and waiting tasks cost, the one
heartbeat per worker, INPUT_TIMEOUT and TTL ends, the sweep and the per-principal cap."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async  # closes its connections
from django.db.backends.signals import connection_created
from django.utils import timezone

from mcp_django import Context
from mcp_django.core.tasks import TASKS_EXTENSION
from mcp_django.models import McpTask
from mcp_django.registry import Registry
from mcp_django.server import McpServer
from mcp_django.tasks import store
from tests.e2e.helpers import meta, modern_headers
from tests.transport.asgi_client import Exchange, initialize, post

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

CAPS = {"extensions": {TASKS_EXTENSION: {}}, "elicitation": {}}
SCHEMA = {"type": "object", "properties": {"go": {"type": "boolean"}}}
FAST = {"TASK_LEASE_SECONDS": 0.3, "TASK_SWEEP_SECONDS": 3600.0,
        "ANONYMOUS_TASKS": True}
HOLDS: dict[str, asyncio.Event] = {}
STARTED: set[str] = set()
ENDED: set[str] = set()
_ids = itertools.count(1)
registry = Registry()


@registry.tool(task="required")
async def park(ctx: Context, token: str) -> str:
    """Parks its task until the client answers."""
    answer = await ctx.elicit("Go on?", SCHEMA, key="go")
    return str(answer["action"])


@registry.tool(task="required")
async def hold(token: str) -> str:
    """Runs (working) until the test releases it."""
    STARTED.add(token)
    try:
        await HOLDS.setdefault(token, asyncio.Event()).wait()
    finally:
        ENDED.add(token)
    return f"released {token}"


parked = McpServer("tests_parked", registry=registry, **{**FAST, "TASKS_PER_PRINCIPAL": 100})
timeouts = McpServer("tests_input_timeout", registry=registry, **FAST, INPUT_TIMEOUT=0.3)
short_ttl = McpServer("tests_short_ttl", registry=registry, **FAST, TASK_TTL_MS=300)
swept = McpServer("tests_swept", registry=registry,
                  **{**FAST, "TASK_TTL_MS": 300, "TASK_SWEEP_SECONDS": 0.2})
capped = McpServer("tests_capped", registry=registry, **FAST, TASKS_PER_PRINCIPAL=2)


# -- helpers -----------------------------------------------------------------------------------
@asynccontextmanager
async def serving(server: McpServer) -> AsyncIterator[Any]:
    """The server's ASGI app on a fresh runtime; its background work is cancelled after."""
    server.reset()
    try:
        yield server.asgi
    finally:
        await server.runtime.supervisor.shutdown()


async def modern(app: Any, method: str, params: dict[str, Any]) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": method,
            "params": {**params, "_meta": meta(CAPS)}}
    name = params.get("name") or params.get("taskId")
    reply = await (await post(app, body, modern_headers(method, name))).read_all()
    return reply.messages[-1]


async def start(app: Any, tool: str) -> tuple[str, str]:
    """A modern call of `tool` that becomes a task: (its token, its task id)."""
    token = uuid.uuid4().hex
    created = await modern(app, "tools/call", {"name": tool, "arguments": {"token": token}})
    assert created["result"]["resultType"] == "task", created
    return token, created["result"]["taskId"]


async def status(app: Any, task_id: str) -> dict[str, Any]:
    return (await modern(app, "tasks/get", {"taskId": task_id}))["result"]


async def eventually(check: Callable[[], Any], what: str, seconds: float = 10.0) -> Any:
    """Deadline polling: the first truthy `await check()` within `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what}: not within {seconds} s")


def row(task_id: str) -> McpTask | None:
    return McpTask.objects.filter(task_id=task_id).first()


class QueryLog:
    """Every SQL statement on connections opened while installed, on any thread (the runner
    reads and writes from the thread pool; each call opens its own connection)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.hooked: list[Any] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def hook(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)
            self.hooked.append(connection)

    def beats(self) -> list[int]:
        """Indexes of the heartbeat's renewals: one UPDATE of many leases (`task_id IN`)."""
        return [index for index, sql in enumerate(self.statements)
                if sql.startswith('UPDATE "mcp_django_mcptask" SET "lease_expires_at"')
                and '"task_id" IN (' in sql]


@pytest.fixture
def queries() -> Any:
    log = QueryLog()
    connection_created.connect(log.hook)
    yield log
    connection_created.disconnect(log.hook)
    for connection in log.hooked:
        if log in connection.execute_wrappers:
            connection.execute_wrappers.remove(log)


# -- waiting costs nothing per task ------------------------------------------------------------
async def test_parked_tasks_make_no_queries_per_task_while_waiting(queries: QueryLog) -> None:
    """30 tasks parked in input_required and 5 tasks/result requests waiting on working tasks:
    across three heartbeats the worker runs its heartbeat's queries and nothing per task."""
    async with serving(parked) as app:
        parked_ids = [(await start(app, "park"))[1] for _ in range(30)]
        for task_id in parked_ids:
            await eventually(lambda t=task_id: _has_status(app, t, "input_required"),
                             f"{task_id} parked")
        session = await initialize(app, "2025-11-25")
        held = [await _legacy_hold(app, session) for _ in range(5)]
        results = [await _tasks_result(app, session, task_id) for _token, task_id in held]
        first = len(queries.beats())
        await eventually(lambda: _beats_since(queries, first, 2),
                         "two heartbeats renewing every lease in one UPDATE")
        begin = queries.beats()[first + 1]  # the waiters have long settled by now
        await eventually(lambda: _beats_since(queries, first, 5), "three more heartbeats")
        end = queries.beats()[first + 4]
        window = queries.statements[begin + 1:end + 1]
        # three beats of (UPDATE leases + SELECT flags), and at most one fallback re-read per
        # waiting tasks/result; before, every parked task read its row every 0.25 s
        assert len(window) <= 3 * 2 + 2 * len(results), "\n".join(window)
        for token, _task_id in held:
            HOLDS[token].set()
        for exchange in results:
            reply = await exchange.read_all()
            assert reply.messages[-1]["result"]["content"][0]["text"].startswith("released")


async def test_leases_are_renewed_by_one_heartbeat_with_one_timestamp() -> None:
    async with serving(parked) as app:
        tokens_ids = [await start(app, "hold") for _ in range(30)]
        ids = [task_id for _token, task_id in tokens_ids]
        last = await sync_to_async(lambda: McpTask.objects.filter(task_id__in=ids).latest(
            "created_at").lease_expires_at)()
        renewed = await eventually(lambda: _renewed_leases(ids, after=last), "leases renewed")
        assert len(set(renewed)) == 1, sorted(set(renewed))
        for token, _task_id in tokens_ids:
            HOLDS[token].set()


# -- bounds: INPUT_TIMEOUT, TTL, the sweep -----------------------------------------------------
async def test_parked_task_fails_when_unanswered_for_input_timeout() -> None:
    async with serving(timeouts) as app:
        _token, task_id = await start(app, "park")
        failed = await eventually(lambda: _has_status(app, task_id, "failed"), "timed out")
        assert "INPUT_TIMEOUT" in failed["statusMessage"]
        assert failed["error"]["code"] == -32603


async def test_running_task_is_ended_failed_when_its_ttl_elapses() -> None:
    async with serving(short_ttl) as app:
        token, task_id = await start(app, "hold")
        ended = await eventually(lambda: _row_status(task_id, "failed"), "ended at its TTL")
        assert "TTL" in ended.status_message and ended.error["code"] == -32603
        assert token in ENDED  # the tool's run was stopped, not left running
        gone = await modern(app, "tasks/get", {"taskId": task_id})
        assert gone["error"]["code"] == -32602


async def test_sweep_deletes_a_task_past_its_ttl() -> None:
    async with serving(swept) as app:
        token, task_id = await start(app, "hold")
        await eventually(lambda: _row_gone(task_id), "swept")
        assert token in ENDED


async def test_concurrent_sweeps_delete_each_expired_row_once() -> None:
    """Rows whose worker is gone are swept too, and several workers may sweep at the same
    moment: the sweep is one idempotent DELETE."""
    orphans = [await sync_to_async(_orphan_row)(swept.name) for _ in range(5)]
    counts = await asyncio.gather(*(sync_to_async(store.sweep, thread_sensitive=False)(
        swept.name) for _ in range(3)))
    assert sum(counts) == len(orphans)
    assert not await sync_to_async(McpTask.objects.filter(task_id__in=orphans).exists)()


# -- TASKS_PER_PRINCIPAL -----------------------------------------------------------------------
async def test_task_over_the_per_principal_cap_is_refused_without_running() -> None:
    async with serving(capped) as app:
        held = [await start(app, "hold") for _ in range(2)]
        token = uuid.uuid4().hex
        refused = await modern(app, "tools/call", {"name": "hold", "arguments": {"token": token}})
        assert refused["error"]["code"] == -32000, refused
        assert "TASKS_PER_PRINCIPAL" in refused["error"]["message"]
        assert refused["error"]["data"] == {"setting": "TASKS_PER_PRINCIPAL", "limit": 2}
        assert token not in STARTED
        await modern(app, "tasks/cancel", {"taskId": held[0][1]})
        await eventually(lambda: _has_status(app, held[0][1], "cancelled"), "cancelled")
        await start(app, "hold")  # a slot is free again


# -- small helpers -----------------------------------------------------------------------------
async def _has_status(app: Any, task_id: str, wanted: str) -> dict[str, Any] | None:
    current = await status(app, task_id)
    return current if current["status"] == wanted else None


async def _row_status(task_id: str, wanted: str) -> McpTask | None:
    found = await sync_to_async(row)(task_id)
    return found if found is not None and found.status == wanted else None


async def _row_gone(task_id: str) -> bool:
    return await sync_to_async(row)(task_id) is None


async def _renewed_leases(ids: list[str], after: Any) -> list[Any] | None:
    leases = await sync_to_async(lambda: list(McpTask.objects.filter(task_id__in=ids)
                                              .values_list("lease_expires_at", flat=True)))()
    return leases if len(leases) == len(ids) and all(lease > after for lease in leases) \
        else None


async def _beats_since(log: QueryLog, first: int, count: int) -> bool:
    return len(log.beats()) >= first + count


async def _legacy_hold(app: Any, session: dict[str, str]) -> tuple[str, str]:
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": "tools/call",
            "params": {"name": "hold", "arguments": {"token": token}, "task": {}}}
    reply = await (await post(app, body, session)).read_all()
    return token, reply.messages[-1]["result"]["task"]["taskId"]


async def _tasks_result(app: Any, session: dict[str, str], task_id: str) -> Exchange:
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": "tasks/result",
            "params": {"taskId": task_id}}
    return await post(app, body, session)


def _orphan_row(server: str) -> str:
    """A live-looking task of `server` whose TTL elapsed and whose worker is gone."""
    past = timezone.now() - timedelta(minutes=5)
    task = McpTask.objects.create(task_id=uuid.uuid4().hex, server=server, principal="anonymous",
                                  tool="hold", ttl_ms=1000, created_at=past, updated_at=past,
                                  expires_at=past + timedelta(seconds=1))
    return task.task_id
