"""Command slots in one event loop: FIFO waiting, a cancelled waiter leaves the queue, and a
wait ends after the patience (REQUEST_TIMEOUT) with an in-band error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mcp_django.core.context import Context
from mcp_django.core.errors import ToolError
from mcp_django.core.versions import Era
from mcp_django.integrations.commands import _Slots


class Caller:
    """One call holding a slot until released; `waiting` is set by the server's notice."""

    def __init__(self, slots: _Slots, order: list[str], name: str) -> None:
        self.waiting, self.entered, self.release = asyncio.Event(), asyncio.Event(), \
            asyncio.Event()
        self.task = asyncio.create_task(self._hold(slots, order, name))

    async def _notice(self, message: dict[str, Any]) -> None:
        if "Waiting for a free command slot" in message["params"]["data"]:
            self.waiting.set()

    async def _hold(self, slots: _Slots, order: list[str], name: str) -> None:
        ctx = Context(1, "tools/call", Era.MODERN, "2026-07-28", log_level="info",
                      emit=self._notice)
        async with slots.hold(ctx):
            order.append(name)
            self.entered.set()
            await self.release.wait()


@pytest.mark.asyncio
async def test_waiters_enter_in_order_when_slots_free_up():
    slots, order = _Slots(1, 2, 60), []
    first = Caller(slots, order, "first")
    await first.entered.wait()
    second, third = Caller(slots, order, "second"), Caller(slots, order, "third")
    await asyncio.gather(second.waiting.wait(), third.waiting.wait())
    for caller in (first, second, third):
        caller.release.set()
    await asyncio.gather(first.task, second.task, third.task)
    assert order == ["first", "second", "third"]


@pytest.mark.asyncio
async def test_a_cancelled_waiter_leaves_its_place_in_the_queue():
    slots, order = _Slots(1, 1, 60), []
    first = Caller(slots, order, "first")
    await first.entered.wait()
    second = Caller(slots, order, "second")
    await second.waiting.wait()
    second.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second.task
    third = Caller(slots, order, "third")
    await third.waiting.wait()  # queued, not refused: the cancelled call freed its place
    first.release.set()
    third.release.set()
    await asyncio.gather(first.task, third.task)
    assert order == ["first", "third"]


@pytest.mark.asyncio
async def test_a_wait_ends_in_an_in_band_error_after_the_request_timeout():
    slots, order = _Slots(1, 1, 0.05), []
    first = Caller(slots, order, "first")
    await first.entered.wait()
    second = Caller(slots, order, "second")
    with pytest.raises(ToolError, match="No command slot became free within 0.05 s"):
        await second.task
    first.release.set()
    await first.task
    assert order == ["first"] and slots.queued == 0
