"""An httpx2 transport for the SDK client that records every server message for schema checks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2

from tests.wire import parse_sse, validate_message


class _Tee(httpx2.AsyncByteStream):
    def __init__(self, inner: Any, sink: bytearray) -> None:
        self.inner = inner
        self.sink = sink

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.sink.extend(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class RecordingTransport(httpx2.AsyncBaseTransport):
    """Keeps (request method name, response kind, raw body) for every exchange."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.exchanges: list[tuple[dict[str, Any] | None, str, bytearray]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        body = bytearray()
        sent = json.loads(request.content) if request.content else None
        self.exchanges.append((sent, response.headers.get("content-type", ""), body))
        response.stream = _Tee(response.stream, body)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def server_messages(self) -> list[tuple[dict[str, Any], str | None]]:
        """Every message the server sent, with the method of the request it answers."""
        found = []
        for sent, kind, body in self.exchanges:
            method = sent.get("method") if isinstance(sent, dict) else None
            text = body.decode()
            if kind.startswith("text/event-stream"):
                messages = parse_sse(text)
            elif kind.startswith("application/json") and text:
                messages = [json.loads(text)]
            else:
                messages = []
            found.extend((message, method) for message in messages)
        return found

    def validate(self, revision: str) -> int:
        """Validate every recorded server message; return how many there were."""
        messages = self.server_messages()
        for message, method in messages:
            validate_message(message, revision, method)
        return len(messages)


def recording_client(transport: RecordingTransport) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=transport, timeout=httpx2.Timeout(30, read=300),
                              follow_redirects=True)
