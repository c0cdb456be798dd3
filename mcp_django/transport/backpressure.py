"""How many response bytes the ASGI server holds unsent for a connection, where it can tell.

ASGI has no flow-control signal. uvicorn and hypercorn make `send()` wait while the socket is
full, so a stream whose client stops reading simply stops. daphne's `send()` never waits: it
writes into Twisted's transport buffer, which grows without limit. For daphne, the `send`
callable is `functools.partial(server.handle_reply, protocol)`, and the protocol's transport
knows what it has not written yet; that is read here (and nowhere else).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

DRAIN_SECONDS = 5.0  # how long a stream past its buffer limit may take to drain below it
DRAIN_POLL = 0.05


def _transport(send: Any) -> Any:
    if not isinstance(send, functools.partial) or not send.args:
        return None
    transport = getattr(send.args[0], "transport", None)
    return transport if hasattr(transport, "_tempDataLen") else None


def unsent_bytes(send: Any) -> Callable[[], int] | None:
    """A probe of the bytes waiting in the server's buffer, or None where `send` waits."""
    transport = _transport(send)
    if transport is None:
        return None

    def backlog() -> int:
        buffered = getattr(transport, "dataBuffer", b"")
        offset = getattr(transport, "offset", 0)
        return int(transport._tempDataLen) + len(buffered) - int(offset)
    return backlog


def abort_connection(send: Any) -> None:
    """Drop the connection and its unsent bytes at once (the client resumes where it may)."""
    transport = _transport(send)
    if transport is not None:
        transport.abortConnection()


async def drained(backlog: Callable[[], int], limit: int) -> bool:
    """True once the backlog is within `limit`; False when it stays above for DRAIN_SECONDS.

    A burst can exceed the limit while the client reads at full speed (the server flushes
    only when the event loop gets a turn), so going over is a reason to wait, not to close.
    """
    if backlog() <= limit:
        return True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(DRAIN_POLL)
        if backlog() <= limit:
            return True
    return False
