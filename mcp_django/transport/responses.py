"""Outgoing: a transport-neutral HTTP response, buffered or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ..core.jsonrpc import dump

JSON_HEADERS = (("content-type", "application/json"),)
SSE_HEADERS = (
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
)


@dataclass
class Outgoing:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None


def json_response(message: Any, status: int = 200, extra: dict[str, str] | None = None
                  ) -> Outgoing:
    body = dump(message)
    headers = [*JSON_HEADERS, ("content-length", str(len(body)))]
    if extra:
        headers.extend(extra.items())
    return Outgoing(status, headers, body)


def sse_response(stream: AsyncIterator[bytes], extra: dict[str, str] | None = None) -> Outgoing:
    headers = list(SSE_HEADERS)
    if extra:
        headers.extend(extra.items())
    return Outgoing(200, headers, stream=stream)


def empty_response(status: int, extra: dict[str, str] | None = None) -> Outgoing:
    return Outgoing(status, [("content-length", "0"), *(extra or {}).items()])
