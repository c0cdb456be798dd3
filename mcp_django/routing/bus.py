"""WorkerBus: one channel per process; messages for work this process holds reach it anywhere.

A client may POST an answer, a cancellation or a task update to any worker. The receiving worker
handles it when the work is local; otherwise it broadcasts on the server's workers group and the
holder picks it up. Each worker also keeps a liveness key in the cache so others can tell a
stream whose worker died from one that is merely slow.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger("mcp_django.routing")
Handler = Callable[[dict[str, Any]], Awaitable[None] | None]
HEARTBEAT_SECONDS = 2.0
LIVENESS_TTL = 6


def liveness_key(worker: str) -> str:
    return f"mcp_django:worker:{worker}"


class WorkerBus:
    def __init__(self, layer: Any, group: str, cache_call: Any) -> None:
        self.layer = layer
        self.group = group
        self.cache_call = cache_call
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.handlers: dict[str, Handler] = {}
        self._started: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    def on(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    async def start(self) -> None:
        """Join the workers group once per process (lazily, from the first request)."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._run())
        await self._ready.wait()

    async def broadcast(self, kind: str, **fields: Any) -> None:
        await self.start()
        await self.layer.group_send(self.group, {"type": "mcp.bus", "kind": kind,
                                                 "from": self.worker, **fields})

    async def alive(self, worker: str) -> bool:
        return worker == self.worker or bool(await self.cache_call("get", liveness_key(worker)))

    async def _run(self) -> None:
        channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, channel)
        beat = asyncio.ensure_future(self._heartbeat())
        self._ready.set()
        try:
            while True:
                message = await self.layer.receive(channel)
                await self._dispatch(message)
        finally:
            beat.cancel()

    async def _dispatch(self, message: dict[str, Any]) -> None:
        handler = self.handlers.get(message.get("kind", ""))
        if handler is None or message.get("from") == self.worker:
            return
        try:
            outcome = handler(message)
            if asyncio.iscoroutine(outcome):
                await outcome
        except Exception:
            logger.exception("Bus handler for %s failed", message.get("kind"))

    async def _heartbeat(self) -> None:
        while True:
            try:
                await self.cache_call("set", liveness_key(self.worker), 1, LIVENESS_TTL)
            except Exception:  # the cache may be down; retried next beat
                logger.warning("Could not renew this worker's liveness key")
            await asyncio.sleep(HEARTBEAT_SECONDS)
