"""ASGI adapter: an MCP endpoint served directly, bypassing Django's request stack."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from typing import Any

from ..supervisor import shutdown_all
from .backpressure import abort_connection, drained, unsent_bytes
from .endpoint import Endpoint
from .http import ClientGone, IncomingRequest, body_timeout, payload_too_large
from .memory import LARGE_BODY, release_soon
from .responses import Outgoing

Scope = dict[str, Any]
logger = logging.getLogger("mcp_django.transport")


class McpAsgiHandler:
    """An ASGI app for one server. A client disconnect cancels the request's handler.

    The request is handled in the ASGI task itself; a small watcher task waits for
    `http.disconnect` and cancels it (one extra task per request, measured cheaper than
    racing two tasks).
    """

    def __init__(self, endpoint: Callable[[], Endpoint]) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        endpoint = self.endpoint()
        body = _Body(scope, receive, endpoint.config.max_body, endpoint.config.body_timeout)
        request = IncomingRequest(scope["method"], _headers(scope), b"", scope, body.read)
        try:
            outgoing = await endpoint.handle(request)
            await _send(outgoing, send, endpoint.config.stream_buffer)
        except ClientGone:
            return
        except asyncio.CancelledError:
            if body.watch is None or not body.watch.disconnected:
                raise
            body.watch.absorb()
        finally:
            if body.watch is not None:
                body.watch.stop()
            if max(len(request.body), _declared_length(scope)) >= LARGE_BODY:
                request.body = b""
                release_soon()


class _Body:
    """Reads the body when the endpoint asks (after Origin and authentication), within the
    size limit and `BODY_TIMEOUT`, then watches for the client going away."""

    def __init__(self, scope: Scope, receive: Any, limit: int, timeout: float) -> None:
        self.scope = scope
        self.receive = receive
        self.limit = limit
        self.timeout = timeout
        self.watch: _DisconnectWatch | None = None

    async def read(self) -> bytes:
        if _declared_length(self.scope) > self.limit:
            raise payload_too_large(self.limit)
        first = await self.receive()  # the usual case: the whole body, already buffered
        if first.get("more_body", False):
            try:
                async with asyncio.timeout(self.timeout):
                    body = await _read_body(self.receive, self.limit, first)
            except TimeoutError:
                raise body_timeout(self.timeout) from None
        else:
            body = await _read_body(self.receive, self.limit, first)
        self.watch = _DisconnectWatch(self.receive)
        return body


class _DisconnectWatch:
    """Cancels the current task when the client goes away."""

    def __init__(self, receive: Any) -> None:
        self.task = asyncio.current_task()
        self.disconnected = False
        self.watcher = asyncio.ensure_future(_wait_disconnect(receive))
        self.watcher.add_done_callback(self._on_done)

    def _on_done(self, watcher: asyncio.Future[None]) -> None:
        if not watcher.cancelled() and self.task is not None and not self.task.done():
            self.disconnected = True
            self.task.cancel()

    def absorb(self) -> None:
        """The cancellation was ours: let the ASGI task end normally."""
        if self.task is not None:
            self.task.uncancel()

    def stop(self) -> None:
        self.watcher.cancel()


async def _send(outgoing: Outgoing, send: Any, buffer_limit: int = 0) -> None:
    await send({"type": "http.response.start", "status": outgoing.status,
                "headers": _encode_headers(outgoing)})
    if outgoing.stream is None:
        await send({"type": "http.response.body", "body": outgoing.body})
        return
    stream, backlog = outgoing.stream, unsent_bytes(send)
    try:
        async for chunk in stream:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if backlog is not None and not await drained(backlog, buffer_limit):
                logger.warning("Closing an SSE stream whose client stopped reading "
                               "(more than STREAM_BUFFER_BYTES unsent)")
                abort_connection(send)
                return
    except Exception:  # the response has started: end it, never start another
        logger.exception("An MCP stream failed; closing it")
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    await send({"type": "http.response.body", "body": b""})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() and len(value) < 20 else 0
    return 0


async def _read_body(receive: Any, limit: int, message: dict[str, Any]) -> bytes:
    """The body from its first `http.request` message on, within `limit` bytes."""
    chunks, size = [], 0
    while True:
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise payload_too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
        message = await receive()


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
        elif scope["type"] == "lifespan":  # Django's handler does not speak lifespan
            await _lifespan(receive, send)
            return
        await self.django_app(scope, receive, send)

    def routes(self) -> dict[str, McpAsgiHandler]:
        if self._routes is None:
            from .discovery import mcp_routes

            self._routes = {path: server.asgi for path, server in mcp_routes().items()}
            if self.freeze_gc:
                gc.freeze()
        return self._routes


async def _lifespan(receive: Any, send: Any) -> None:
    """Startup needs nothing; shutdown cancels every server's background tasks."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await shutdown_all()
            await send({"type": "lifespan.shutdown.complete"})
            return


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return path.rstrip("/") or "/"
