"""WorkerBus: one channel per process; messages for work this process holds reach it anywhere.

A client may POST an answer, a cancellation or a task update to any worker. The receiving worker
handles it when the work is local; otherwise it broadcasts on the server's workers group and the
holder picks it up. Each worker also keeps a liveness key in the cache so others can tell a
stream whose worker died from one that is merely slow. The receive loop runs under the
supervisor, which restarts it when the channel layer fails; the heartbeat runs on its own, so a
worker whose layer is briefly down is not judged dead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ..supervisor import Ready, Supervisor

logger = logging.getLogger("mcp_django.routing")
Handler = Callable[[dict[str, Any]], object]  # a coroutine is awaited
CacheCall = Callable[..., Awaitable[Any]]
HEARTBEAT_SECONDS = 2.0
HEARTBEAT_RETRY_SECONDS = 0.5
LIVENESS_TTL = 6
READY_WAIT_SECONDS = 2.0
PROBE_IDLE_SECONDS = 5.0  # an idle bus sends itself a probe this often
PROBE_TIMEOUT = 3.0       # and is restarted when the probe does not come back in time
PROBE = "mcp.bus.probe"


class LayerLost(ConnectionError):
    """The channel layer stopped delivering (some layers reconnect silently, losing groups)."""


class ChannelLayer(Protocol):
    async def new_channel(self, prefix: str = "specific.") -> str: ...
    async def group_add(self, group: str, channel: str) -> None: ...
    async def group_discard(self, group: str, channel: str) -> None: ...
    async def group_send(self, group: str, message: dict[str, Any]) -> None: ...
    async def send(self, channel: str, message: dict[str, Any]) -> None: ...
    async def receive(self, channel: str) -> dict[str, Any]: ...


def liveness_key(worker: str) -> str:
    """Under the cache caller's DEPLOYMENT_KEY prefix (see `make_cache_caller`)."""
    return f"mcp_django:worker:{worker}"


class WorkerBus:
    def __init__(self, layer: Callable[[], ChannelLayer], group: str, cache_call: CacheCall,
                 supervisor: Supervisor, channel_prefix: str = "specific.") -> None:
        self.layer = layer
        self.group = group
        self.channel_prefix = channel_prefix
        self.cache_call = cache_call
        self.supervisor = supervisor
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.handlers: dict[str, Handler] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = asyncio.Event()

    def on(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    async def start(self) -> None:
        """Join the workers group once per process (lazily, from the first request that may
        need it); waits briefly for the join so a broadcast right after reaches this worker."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # once per process (per event loop, for tests)
            self._loop, self._ready = loop, asyncio.Event()
            self.supervisor.keep_running("worker bus", self._serve)
            self.supervisor.keep_running("worker heartbeat", self._heartbeat)
        if not self._ready.is_set():
            try:
                async with asyncio.timeout(READY_WAIT_SECONDS):
                    await self._ready.wait()
            except TimeoutError:
                logger.warning("The worker bus is not connected yet; cross-worker delivery "
                               "to this worker resumes when it is")

    async def broadcast(self, kind: str, **fields: Any) -> None:
        """Send to every worker; fields travel as JSON, so any JSON value (big ints too) fits."""
        await self.start()
        await self.layer().group_send(self.group, {"type": "mcp.bus", "kind": kind,
                                                   "from": self.worker,
                                                   "payload": json.dumps(fields)})

    async def alive(self, worker: str) -> bool:
        return worker == self.worker or bool(await self.cache_call("get", liveness_key(worker)))

    async def _serve(self, ready: Ready) -> None:
        layer = self.layer()
        channel = await layer.new_channel(self.channel_prefix)
        await layer.group_add(self.group, channel)
        self._ready.set()
        ready()
        try:
            await self._receive_loop(layer, channel)
        finally:
            self._ready.clear()

    async def _receive_loop(self, layer: ChannelLayer, channel: str) -> None:
        """Dispatch messages; when idle, prove the layer still delivers to this channel."""
        probing = False
        while True:
            try:
                async with asyncio.timeout(PROBE_TIMEOUT if probing else PROBE_IDLE_SECONDS):
                    message = await layer.receive(channel)
            except TimeoutError:
                if probing:
                    raise LayerLost("the layer lost this worker's probe") from None
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await layer.send(channel, {"type": PROBE})
                probing = True
                continue
            if message.get("type") == PROBE:
                probing = False
            else:
                await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        handler = self.handlers.get(message.get("kind", ""))
        if handler is None or message.get("from") == self.worker:
            return
        try:
            outcome = handler({**message, **json.loads(message.get("payload") or "{}")})
            if asyncio.iscoroutine(outcome):
                await outcome
        except Exception:
            logger.exception("Bus handler for %s failed", message.get("kind"))

    async def _heartbeat(self, ready: Ready) -> None:
        ready()
        while True:
            try:
                await self.cache_call("set", liveness_key(self.worker), 1, LIVENESS_TTL)
                pause = HEARTBEAT_SECONDS
            except Exception:  # the cache may be down; retried soon, so a restart finds us
                logger.warning("Could not renew this worker's liveness key")
                pause = HEARTBEAT_RETRY_SECONDS
            await asyncio.sleep(pause)
