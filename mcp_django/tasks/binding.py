"""TaskBinding: the link between a running tool call and its task row; `ctx.ask` parks here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from channels.db import database_sync_to_async

from ..core.errors import InternalError
from ..core.inputs import InputRequest, check_response
from . import store
from .signals import wait_for

SAFETY_RECHECK_SECONDS = 30.0  # a parked task re-reads its row this often, woken or not


class Runner(Protocol):
    """What a binding needs of its TaskRunner."""

    input_timeout: float

    async def announce(self, task_id: str) -> None: ...


def in_thread(func: Callable[..., Any]) -> Callable[..., Any]:
    return database_sync_to_async(func, thread_sensitive=False)


class TaskBinding:
    """One task's run-time state: its id once committed, its TTL deadline (loop time) and
    whether it is parked waiting for answers."""

    def __init__(self, runner: Runner, ttl_ms: int | None) -> None:
        self.runner = runner
        self.task_id: str | None = None
        self.created = asyncio.Event()
        self.wake = asyncio.Event()
        self.used_keys: set[str] = set()
        self.ttl_ms = ttl_ms
        loop = asyncio.get_running_loop()
        self.expires = loop.time() + ttl_ms / 1000 if ttl_ms else None
        self.expired = False
        self.parked = False

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
        """Parked: no database reads until woken (tasks/update here, the bus, or the worker's
        heartbeat seeing the row answered), a safety re-read every 30 s; INPUT_TIMEOUT bounds
        the wait and the heartbeat ends the task at its TTL."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.runner.input_timeout
        self.parked = True
        try:
            while True:
                self.wake.clear()
                task = await in_thread(store.McpTask.objects.filter(task_id=self.task_id).first)()
                if task is None:
                    raise InternalError("The task no longer exists")
                if keys <= set(task.input_responses):
                    return {key: task.input_responses[key] for key in keys}
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise InternalError("Timed out waiting for the client's answer "
                                        f"(INPUT_TIMEOUT, {self.runner.input_timeout:g} s)")
                await wait_for(self.wake, min(remaining, SAFETY_RECHECK_SECONDS))
        finally:
            self.parked = False
