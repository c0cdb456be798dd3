"""Supervisor: owns every background task of a server; restarts the long-lived ones."""

from __future__ import annotations

import asyncio
import atexit
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

logger = logging.getLogger("mcp_django.supervisor")
Ready = Callable[[], None]
BACKOFF_START = 0.5
BACKOFF_MAX = 5.0
_LIVE: weakref.WeakSet[Supervisor] = weakref.WeakSet()


class Supervisor:
    """`spawn` fire-and-forget work, `keep_running` a service loop; `shutdown` cancels all.

    A task that fails is logged with its traceback, never lost silently. A kept service is
    restarted with exponential backoff (0.5 s doubling to 5 s) and logs each stop and restart.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.tasks: set[asyncio.Task[Any]] = set()
        _LIVE.add(self)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work, name=f"mcp:{self.name}:{name}")
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def keep_running(self, name: str, service: Callable[[Ready], Awaitable[None]]
                     ) -> asyncio.Task[Any]:
        """Run `service(ready)` forever; it calls `ready()` once it is serving."""
        return self.spawn(self._restarting(name, service), name)

    async def _restarting(self, name: str, service: Callable[[Ready], Awaitable[None]]) -> None:
        delay, failed = BACKOFF_START, False

        def ready() -> None:
            nonlocal delay, failed
            if failed:
                logger.info("%s restarted", name)
            delay, failed = BACKOFF_START, False

        while True:
            try:
                await service(ready)
                reason = "it returned"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            logger.warning("%s stopped (%s); restarting in %.1f s", name, reason, delay)
            failed = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Background task %s failed", task.get_name(),
                         exc_info=task.exception())

    async def shutdown(self) -> None:
        """Cancel every task of the running loop and wait for them to end (ASGI lifespan)."""
        loop = asyncio.get_running_loop()
        mine = [task for task in self.tasks if task.get_loop() is loop]
        for task in mine:
            task.cancel()
        await asyncio.gather(*mine, return_exceptions=True)

    def cancel_all(self) -> None:
        """Cancel from any thread, for tasks whose loop still runs (process exit)."""
        for task in list(self.tasks):
            loop = task.get_loop()
            if not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)


async def shutdown_all() -> None:
    """Shut down every supervisor (ASGI lifespan shutdown)."""
    for supervisor in list(_LIVE):
        await supervisor.shutdown()


@atexit.register
def _cancel_at_exit() -> None:
    for supervisor in list(_LIVE):
        supervisor.cancel_all()
