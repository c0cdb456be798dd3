"""TaskSignals: local wake-ups for requests waiting on a task's status (no polling loops)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class TaskSignals:
    """Per-task events: `watch` one while waiting, `notify` when the task's status changed
    (on this worker, or on another one that said so through the bus)."""

    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}

    @contextmanager
    def watch(self, task_id: str) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._events.setdefault(task_id, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._events.get(task_id, set())
            waiting.discard(event)
            if not waiting:
                self._events.pop(task_id, None)

    def notify(self, task_id: str) -> None:
        for event in self._events.get(task_id, ()):
            event.set()


async def wait_for(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` pass; True when it was set."""
    try:
        async with asyncio.timeout(max(seconds, 0.0)):
            await event.wait()
    except TimeoutError:
        return False
    return True
