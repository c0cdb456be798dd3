"""Inflight: cancel by (session, id), here or by broadcast; a reused id never un-tracks another."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from mcp_django.routing.bus import WorkerBus
from mcp_django.supervisor import Supervisor
from mcp_django.transport.inflight import Inflight, is_request_id


async def no_cache(*args: Any) -> None:
    return None


def inflight() -> Inflight:
    layer = InMemoryChannelLayer()
    return Inflight(WorkerBus(lambda: layer, "workers", no_cache, Supervisor("t")))


async def forever() -> None:
    await asyncio.Event().wait()


@pytest.mark.asyncio
async def test_a_finished_request_does_not_untrack_a_newer_one_with_the_same_id() -> None:
    running = inflight()
    first = asyncio.get_running_loop().create_task(asyncio.sleep(0))
    running.track("s", 7, first)
    second = asyncio.get_running_loop().create_task(forever())
    running.track("s", 7, second)
    await first
    await asyncio.sleep(0)  # the first one's done-callback has run
    assert running.cancel_local("s", 7)
    with pytest.raises(asyncio.CancelledError):
        await second


@pytest.mark.asyncio
async def test_cancel_session_local_cancels_only_that_sessions_requests() -> None:
    running = inflight()
    loop = asyncio.get_running_loop()
    mine = [loop.create_task(forever()) for _ in range(3)]
    other = loop.create_task(forever())
    for n, task in enumerate(mine):
        running.track("s1", n, task)
    running.track("s2", 0, other)
    assert running.cancel_session_local("s1") == 3
    await asyncio.gather(*mine, return_exceptions=True)
    assert all(task.cancelled() for task in mine) and not other.done()
    other.cancel()


@pytest.mark.asyncio
@pytest.mark.parametrize("value", [{"a": 1}, [1], None, True, 1.5])
async def test_ids_that_name_no_request_are_ignored(value: Any) -> None:
    running = inflight()
    assert not is_request_id(value)
    assert not running.cancel_local("s", value)
    await running.cancel("s", value)  # no broadcast, no error


def test_unavailable_shared_state_is_told_from_a_bug() -> None:
    import redis.exceptions
    from django.db import OperationalError

    from mcp_django.transport.endpoint import unavailable

    for exc in (ConnectionError(), TimeoutError(), OperationalError(),
                redis.exceptions.ConnectionError(), redis.exceptions.OutOfMemoryError()):
        assert unavailable(exc), exc
    assert not unavailable(RuntimeError()) and not unavailable(redis.exceptions.ResponseError())
