"""Server-sent events: encoding and the stream that carries one request's messages."""

from __future__ import annotations

from typing import Any

from ..core.jsonrpc import dump

KEEPALIVE = b": keep-alive\n\n"


def encode_event(message: Any, event_id: str | None = None) -> bytes:
    """One SSE `message` event carrying a JSON-RPC message."""
    head = b"event: message\n"
    if event_id is not None:
        head += b"id: " + event_id.encode("ascii") + b"\n"
    return head + b"data: " + dump(message) + b"\n\n"


def priming_event(event_id: str, retry_ms: int) -> bytes:
    """An event with an id and empty data, plus the reconnection delay (L-32, L-33)."""
    return f"id: {event_id}\nretry: {retry_ms}\ndata: \n\n".encode("ascii")


def retry_field(retry_ms: int) -> bytes:
    return f"retry: {retry_ms}\n\n".encode("ascii")
