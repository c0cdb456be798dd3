"""The ceiling: a bare ASGI callable that answers the echo tools/call (no framework at all).

    daphne benchmarks.targets.bare_asgi:app
    uvicorn benchmarks.targets.bare_asgi:app
"""

from __future__ import annotations

from typing import Any

from .common import BadRequest, echo_reply


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    if scope["method"] != "POST":
        await _send(send, 405, b"text/plain", b"Method Not Allowed")
        return
    try:
        body = echo_reply(b"".join(chunks))
    except BadRequest as exc:
        await _send(send, 400, b"text/plain", str(exc).encode())
        return
    await _send(send, 200, b"application/json", body)


async def _send(send: Any, status: int, content_type: bytes, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
