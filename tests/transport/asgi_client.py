"""Drive an ASGI app in process: scripted `http.request` / `http.disconnect`, read what it sends.

Every wait is bounded: a message that does not come within its timeout fails the test (it never
hangs), and waiting for a tool's state polls `SLOW_STATES` against a deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from tests.e2e.helpers import ACCEPT_BOTH, meta, modern_headers
from tests.project.variants import SLOW_STATES
from tests.wire import parse_sse

HOST = "testserver"  # in the test settings' ALLOWED_HOSTS
TIMEOUT = 5.0
Message = dict[str, Any]
_ids = itertools.count(1)


def new_token() -> str:
    return uuid.uuid4().hex


def http_scope(path: str, headers: dict[str, str], method: str = "POST") -> dict[str, Any]:
    raw = [(b"host", HOST.encode())]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()]
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": method, "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": raw,
            "client": ("127.0.0.1", 50000), "server": (HOST, 80)}


def encode(message: Message) -> bytes:
    return json.dumps(message).encode()


def modern_call(name: str, arguments: dict[str, Any], **meta_extra: Any
                ) -> tuple[Message, dict[str, str]]:
    """A 2026-07-28 `tools/call` body and its headers."""
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "_meta": meta(**meta_extra)}}
    return body, modern_headers("tools/call", name)


def modern_request(method: str, params: dict[str, Any]) -> tuple[Message, dict[str, str]]:
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": method,
            "params": {**params, "_meta": meta()}}
    return body, modern_headers(method)


def legacy_call(name: str, arguments: dict[str, Any], progress_token: str | None = None
                ) -> Message:
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if progress_token is not None:
        params["_meta"] = {"progressToken": progress_token}
    return {"jsonrpc": "2.0", "id": next(_ids), "method": "tools/call", "params": params}


def sized_call(size: int) -> bytes:
    """A valid modern `tools/call` of exactly `size` bytes (the padding is an argument)."""

    def body(padding: str) -> bytes:
        return encode(modern_call("test_slow_status", {"token": padding})[0])

    padding = size - len(body(""))
    assert padding >= 0, f"{size} bytes is too small for a call"
    return body("x" * padding)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def messages(self) -> list[Message]:
        if self.content_type.startswith("text/event-stream"):
            return parse_sse(self.body.decode())
        payload = json.loads(self.body)
        return payload if isinstance(payload, list) else [payload]


def sse_events(text: str) -> list[dict[str, str]]:
    """SSE blocks as {field: value}; a comment block is {":": its text}."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block:
            continue
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            fields[name or ":"] = value[1:] if value.startswith(" ") else value
        events.append(fields)
    return events


def is_final(message: Message) -> bool:
    return "method" not in message and ("result" in message or "error" in message)


class Exchange:
    """One HTTP request to an ASGI app, message by message."""

    def __init__(self, app: Any, headers: dict[str, str], path: str = "/mcp",
                 method: str = "POST") -> None:
        self.communicator = ApplicationCommunicator(app, http_scope(path, headers, method))
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.text = ""
        self.complete = False

    async def send_body(self, body: bytes, chunks: int = 1, more_body: bool = False) -> None:
        """`body` in `chunks` `http.request` messages; the last says `more_body`."""
        step = max(1, -(-len(body) // chunks))
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await self.communicator.send_input({"type": "http.request", "body": part,
                                                "more_body": more_body or not last})

    async def disconnect(self) -> None:
        await self.communicator.send_input({"type": "http.disconnect"})

    async def receive(self, timeout: float = TIMEOUT) -> Message:
        try:
            return await self.communicator.receive_output(timeout)
        except TimeoutError:
            pass  # fail outside the handler: the app's cancellation is no part of the story
        pytest.fail(f"the app sent nothing within {timeout}s (status {self.status}, "
                    f"so far {self.text!r:.300})")

    async def start(self, timeout: float = TIMEOUT) -> int:
        message = await self.receive(timeout)
        assert message["type"] == "http.response.start", message
        self.status = message["status"]
        self.headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                        for name, value in message.get("headers", [])}
        return self.status

    async def chunk(self, timeout: float = TIMEOUT) -> bytes:
        message = await self.receive(timeout)
        assert message["type"] == "http.response.body", message
        assert not self.complete, "a body message after the response ended"
        body: bytes = message.get("body", b"")
        self.text += body.decode()
        self.complete = not message.get("more_body", False)
        return body

    async def read_all(self, timeout: float = TIMEOUT) -> Reply:
        if self.status is None:
            await self.start(timeout)
        while not self.complete:
            await self.chunk(timeout)
        assert self.status is not None
        return Reply(self.status, self.headers, self.text.encode())

    async def read_until(self, found: Callable[[list[Message]], bool],
                         timeout: float = TIMEOUT) -> list[Message]:
        """SSE chunks until the messages so far satisfy `found`; every wait is bounded."""
        if self.status is None:
            await self.start(timeout)
        while not found(self.messages()):
            assert not self.complete, f"the stream ended first: {self.text!r:.500}"
            await self.chunk(timeout)
        return self.messages()

    async def finished(self, timeout: float = TIMEOUT) -> None:
        """The app returns within `timeout`, normally: an exception escaping it, a
        CancelledError included (which `wait` would swallow), fails the test."""
        try:
            await self.communicator.wait(timeout)
        except TimeoutError:
            pytest.fail(f"the app was still running after {timeout}s")
        assert not self.communicator.future.cancelled(), "the app let a CancelledError escape"

    def messages(self) -> list[Message]:
        """The JSON-RPC messages of the SSE text received so far."""
        return parse_sse(self.text)

    def nothing_left(self) -> bool:
        return self.communicator.output_queue.empty()


async def post(app: Any, body: Message | bytes, headers: dict[str, str],
               path: str = "/mcp", chunks: int = 1) -> Exchange:
    """An exchange whose whole body has been sent."""
    exchange = Exchange(app, headers, path)
    await exchange.send_body(body if isinstance(body, bytes) else encode(body), chunks)
    return exchange


async def initialize(app: Any, version: str) -> dict[str, str]:
    """A legacy session on `app`: the headers its later requests carry."""
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {},
                       "clientInfo": {"name": "asgi-tests", "version": "1"}}}
    base = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
    reply = await (await post(app, body, base)).read_all()
    assert reply.status == 200, reply.body
    assert reply.messages[0]["result"]["protocolVersion"] == version
    headers = {**base, "MCP-Protocol-Version": version,
               "Mcp-Session-Id": reply.headers["mcp-session-id"]}
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (await (await post(app, note, headers)).read_all()).status == 202
    return headers


async def settled_state(token: str, timeout: float = TIMEOUT) -> str:
    """The first state of the `test_slow` call `token` other than running (deadline-polled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while SLOW_STATES.get(token, "running") == "running":
        if loop.time() > deadline:
            pytest.fail(f"test_slow {token} still {SLOW_STATES.get(token)!r} after {timeout}s")
        await asyncio.sleep(0.01)
    return SLOW_STATES[token]


async def started(token: str, timeout: float = TIMEOUT) -> None:
    """The `test_slow` call `token` is running (deadline-polled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while token not in SLOW_STATES:
        if loop.time() > deadline:
            pytest.fail(f"test_slow {token} did not start within {timeout}s")
        await asyncio.sleep(0.01)
