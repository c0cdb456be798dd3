"""ASGI adapter: serve an McpServer directly, bypassing Django's request stack, with disconnects."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from .http import IncomingRequest
from .responses import Outgoing

if TYPE_CHECKING:
    from ..server import McpServer

Scope = dict[str, Any]


class BodyTooLarge(Exception):
    pass


class McpAsgiHandler:
    """An ASGI app for one server. A client disconnect cancels the request's handler."""

    def __init__(self, server: McpServer) -> None:
        self.server = server

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        endpoint = self.server.endpoint
        headers = _headers(scope)
        try:
            body = await _read_body(receive, endpoint.config.max_body)
        except BodyTooLarge:
            await _send_plain(send, 413, b"Payload Too Large")
            return
        request = IncomingRequest(scope["method"], headers, body, scope)
        disconnect = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await self._serve(endpoint.handle(request), disconnect, send)
        finally:
            disconnect.cancel()

    async def _serve(self, handling: Any, disconnect: asyncio.Future[None], send: Any) -> None:
        outgoing = await _race(handling, disconnect)
        if outgoing is None:
            return
        await send({"type": "http.response.start", "status": outgoing.status,
                    "headers": _encode_headers(outgoing)})
        if outgoing.stream is None:
            await send({"type": "http.response.body", "body": outgoing.body})
            return
        await _stream(outgoing.stream, disconnect, send)


async def _race(handling: Any, disconnect: asyncio.Future[None]) -> Outgoing | None:
    task = asyncio.ensure_future(handling)
    await asyncio.wait((task, disconnect), return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        outgoing = await task
        if outgoing is not None and outgoing.stream is not None:
            await outgoing.stream.aclose()  # type: ignore[attr-defined]
    return None


async def _stream(stream: AsyncIterator[bytes], disconnect: asyncio.Future[None], send: Any
                  ) -> None:
    iterator = stream.__aiter__()
    try:
        while True:
            step = asyncio.ensure_future(iterator.__anext__())
            await asyncio.wait((step, disconnect), return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                step.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await step
                return
            try:
                chunk = step.result()
            except StopAsyncIteration:
                break
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await iterator.aclose()  # type: ignore[attr-defined]


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _wait_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _encode_headers(outgoing: Outgoing) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in outgoing.headers]


async def _send_plain(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


class McpRouter:
    """Routes MCP paths found in the URLconf straight to their servers; the rest to Django."""

    def __init__(self, django_app: Any, freeze_gc: bool = False) -> None:
        self.django_app = django_app
        self.freeze_gc = freeze_gc
        self._routes: dict[str, McpAsgiHandler] | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            handler = self.routes().get(_route_path(scope))
            if handler is not None:
                await handler(scope, receive, send)
                return
        await self.django_app(scope, receive, send)

    def routes(self) -> dict[str, McpAsgiHandler]:
        if self._routes is None:
            from .discovery import mcp_routes

            self._routes = {path: server.asgi for path, server in mcp_routes().items()}
            if self.freeze_gc:
                gc.freeze()
        return self._routes


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return path.rstrip("/") or "/"
