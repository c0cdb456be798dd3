"""The official `mcp` SDK (2.x) serving the same `echo` tool, as an ASGI app for daphne or uvicorn.

    uvicorn benchmarks.targets.sdk_app:stateless_json   # modern (2026-07-28) JSON mode
    daphne  benchmarks.targets.sdk_app:stateful         # legacy sessions, SSE answers (SDK default)
    ...     benchmarks.targets.sdk_app:stateful_json    # legacy sessions, JSON answers

The SDK's Starlette app does its setup in the ASGI lifespan (`session_manager.run()` creates the
task group every request needs). uvicorn sends lifespan events; daphne does not, so
`LifespanFallback` enters `session_manager.run()` itself, in a long-lived task, on the first
HTTP request when no lifespan startup was seen. Each app is built on first access.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp.server.mcpserver import MCPServer

MODES = {
    "stateless_json": {"stateless_http": True, "json_response": True},
    "stateful": {"stateless_http": False, "json_response": False},
    "stateful_json": {"stateless_http": False, "json_response": True},
}


def build_server() -> MCPServer:
    server = MCPServer("sdk-bench", version="0.0.1")

    @server.tool()
    async def echo(text: str) -> str:
        """Echo the text back."""
        return text

    return server


class LifespanFallback:
    """Delegates lifespan when the ASGI server sends it; otherwise runs the session manager."""

    def __init__(self, app: Any, session_manager: Any) -> None:
        self.app = app
        self.session_manager = session_manager
        self.lifespan_seen = False
        self._ready: asyncio.Event | None = None
        self._holder: asyncio.Task[None] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            self.lifespan_seen = True
            await self.app(scope, receive, send)
            return
        if not self.lifespan_seen:
            await self._ensure_running()
        await self.app(scope, receive, send)

    async def _ensure_running(self) -> None:
        if self._ready is None:  # first request; no await between check and set
            self._ready = asyncio.Event()
            self._holder = asyncio.get_running_loop().create_task(self._hold())
        await self._ready.wait()

    async def _hold(self) -> None:
        assert self._ready is not None
        async with self.session_manager.run():
            self._ready.set()
            await asyncio.Event().wait()  # until the process exits


def build_app(mode: str) -> LifespanFallback:
    server = build_server()
    starlette_app = server.streamable_http_app(**MODES[mode])
    return LifespanFallback(starlette_app, server.session_manager)


_apps: dict[str, LifespanFallback] = {}


def __getattr__(name: str) -> Any:
    if name in MODES:
        if name not in _apps:
            _apps[name] = build_app(name)
        return _apps[name]
    raise AttributeError(name)
