"""Supervisor: owns background tasks, restarts services with backoff, cancels all on shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from mcp_django import supervisor as supervisor_module
from mcp_django.supervisor import Ready, Supervisor, shutdown_all
from mcp_django.transport.asgi import McpRouter

pytestmark = pytest.mark.asyncio


async def test_a_failing_service_is_restarted_and_says_so(caplog: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(supervisor_module, "BACKOFF_START", 0.01)
    supervisor, runs, serving = Supervisor("t"), [], asyncio.Event()

    async def service(ready: Ready) -> None:
        runs.append(1)
        if len(runs) < 3:
            raise ConnectionError("layer down")
        ready()
        serving.set()
        await asyncio.Event().wait()

    with caplog.at_level(logging.INFO, logger="mcp_django.supervisor"):
        supervisor.keep_running("worker bus", service)
        await asyncio.wait_for(serving.wait(), 5)
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["worker bus stopped (ConnectionError: layer down); restarting in 0.0 s",
                        "worker bus stopped (ConnectionError: layer down); restarting in 0.0 s",
                        "worker bus restarted"]
    await supervisor.shutdown()
    assert not supervisor.tasks


async def test_a_failed_spawned_task_is_logged_with_its_traceback(caplog: Any) -> None:
    supervisor = Supervisor("t")

    async def broken() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="mcp_django.supervisor"):
        task = supervisor.spawn(broken(), "broken")
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    [record] = caplog.records
    assert record.exc_info is not None and "broken" in record.getMessage()
    assert not supervisor.tasks


async def test_shutdown_cancels_every_task_and_waits() -> None:
    supervisor, ended = Supervisor("t"), []

    async def forever(n: int) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            ended.append(n)

    for n in range(3):
        supervisor.spawn(forever(n), f"job {n}")
    await asyncio.sleep(0)
    await supervisor.shutdown()
    assert sorted(ended) == [0, 1, 2] and not supervisor.tasks


async def test_lifespan_shutdown_cancels_background_work() -> None:
    supervisor, messages = Supervisor("lifespan"), []
    job = supervisor.spawn(asyncio.Event().wait(), "idle")
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    for kind in ("lifespan.startup", "lifespan.shutdown"):
        inbox.put_nowait({"type": kind})

    async def send(message: dict[str, Any]) -> None:
        messages.append(message["type"])

    await McpRouter(django_app=None)({"type": "lifespan"}, inbox.get, send)
    assert messages == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert job.cancelled()


async def test_cancel_all_reaches_tasks_from_another_thread() -> None:
    supervisor = Supervisor("t")
    job = supervisor.spawn(asyncio.Event().wait(), "idle")
    await asyncio.to_thread(supervisor.cancel_all)
    with pytest.raises(asyncio.CancelledError):
        await job
    await shutdown_all()
