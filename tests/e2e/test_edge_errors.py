"""Hostile inputs at the edges of the pipeline, against a live daphne (grow the table).

Each row sends one request and checks its status and JSON body (never daphne's HTML 500 page,
never a traceback); after every row a bystander is still served. Rows marked `sse_ok` may
also be answered with a 200 event stream, of which only the headers are read.

The last-resort answer (any exception escaping the pipeline before the response started) is
HTTP 500 `{"jsonrpc": "2.0", "id": <the request's id when readable>, "error": {"code": -32603,
"message": "Internal error"}}`; without a readable id the `id` member is left out (the MCP
schemas make it optional and do not allow null). A failing authentication or throttle class
runs before the body is read, so its answer never has an id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import ACCEPT_BOTH, LegacySession, RawClient, meta, modern_headers

JSON = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
SSE = {"Accept": "text/event-stream"}
SESSION = "<session-2025-11-25>"       # replaced by a live session id on the conformance server
SESSION_0326 = "<session-2025-03-26>"
SHORT_0326 = "<short-session-2025-03-26>"  # on the `short` server (REQUEST_TIMEOUT=1 s)
CONFORMANCE = "/conformance/mcp"
RAISING_AUTH = "/raising-auth/mcp"
RAISING_THROTTLE = "/raising-throttle/mcp"
SHORT = "/short/mcp"
SESSION_HOMES = {SESSION: (CONFORMANCE, "2025-11-25"), SESSION_0326: (CONFORMANCE, "2025-03-26"),
                 SHORT_0326: (SHORT, "2025-03-26")}
HUGE = 2**70
INTERNAL = {"code": -32603, "message": "Internal error"}


def internal_error(request_id: Any) -> dict[str, Any]:
    if request_id is None:
        return {"jsonrpc": "2.0", "error": INTERNAL}
    return {"jsonrpc": "2.0", "id": request_id, "error": INTERNAL}


def modern_call(request_id: Any, text: str = "hi") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": text}, "_meta": meta()}}


def legacy(method: str, params: dict[str, Any] | None = None, request_id: Any = 1
           ) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}


def echo(text: str, request_id: Any) -> dict[str, Any]:
    return legacy("tools/call", {"name": "echo", "arguments": {"text": text}}, request_id)


def initialize(request_id: Any) -> dict[str, Any]:
    return legacy("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "edge", "version": "1"}}, request_id)


def cancelled(request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": request_id, "reason": "edge test"}}


# -- body checks ------------------------------------------------------------------------------
def echoed(request_id: Any, text: str) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert isinstance(body, dict) and body.get("id") == request_id, body
        assert body["result"]["content"][0]["text"] == text, body
    return check


def batch_echoed(request_id: Any, text: str) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert isinstance(body, list) and len(body) == 1, body
        echoed(request_id, text)(body[0])
    return check


def invalid_items(count: int, ping_id: Any = None) -> Callable[[Any], None]:
    """`count` Invalid Request errors (id null or absent), plus the ping's result if named."""
    def check(body: Any) -> None:
        assert isinstance(body, list), body
        errors = [item for item in body if "error" in item]
        assert len(errors) == count, body
        for item in errors:
            assert item["error"]["code"] == -32600 and item.get("id") is None, item
        results = [item for item in body if "result" in item]
        assert [item["id"] for item in results] == ([ping_id] if ping_id is not None else []), \
            body
    return check


TIMEOUT_BATCH = [echo(f"item-{n}", f"t-{n}") for n in range(10)]
TIMEOUT_BATCH[4] = legacy("tools/call", {"name": "test_slow", "arguments": {"seconds": 3}}, "t-4")


def timed_out_from_the_slow_item(body: Any) -> None:
    """REQUEST_TIMEOUT bounds the whole batch: the item that runs past it and every item after
    it get `RequestTimeout` (-32603); the items before answer."""
    assert isinstance(body, list) and len(body) == 10, body
    answers = {item["id"]: item for item in body}
    assert sorted(answers) == sorted(f"t-{n}" for n in range(10)), body
    for n in range(10):
        item = answers[f"t-{n}"]
        if n < 4:
            assert item["result"]["content"][0]["text"] == f"item-{n}", item
        else:
            assert item["error"] == {"code": -32603, "message": "Request timed out"}, item


# -- the table --------------------------------------------------------------------------------
@dataclass
class Edge:
    id: str
    body: Any
    headers: dict[str, str | bytes]
    status: int | tuple[int, ...]
    path: str = CONFORMANCE
    http_method: str = "POST"
    exact: dict[str, Any] | None = None      # the whole JSON body
    code: int | None = None                  # the JSON-RPC error code of a JSON answer
    check: Callable[[Any], None] | None = None
    sse_ok: bool = False                     # a 200 text/event-stream answer is acceptable
    seconds: float = 10.0                    # the answer must come within this


def last_event_id(name: str, value: str, session: str = SESSION, encoding: str = "latin-1"
                  ) -> Edge:
    """A GET resume with a strange Last-Event-ID: no resume (a 200 stream), or a JSON 400.
    Header bytes are ISO-8859-1 on the wire by default (as ASGI servers decode them)."""
    headers: dict[str, str | bytes] = {**SSE, "Mcp-Session-Id": session,
                                       "Last-Event-ID": value.encode(encoding)}
    if session == SESSION:
        headers["MCP-Protocol-Version"] = "2025-11-25"
    return Edge(f"last-event-id-{name}", None, headers, (200, 400), http_method="GET",
                sse_ok=True)


CASES = [
    # an authentication class that raises: the last-resort 500, never daphne's HTML page
    Edge("raising-auth-modern", modern_call(7), modern_headers("tools/call", "echo"), 500,
         RAISING_AUTH, exact=internal_error(None)),
    Edge("raising-auth-initialize", initialize("init-1"), JSON, 500, RAISING_AUTH,
         exact=internal_error(None)),
    Edge("raising-auth-not-json", b"{nope", JSON, 500, RAISING_AUTH, exact=internal_error(None)),
    Edge("raising-auth-get", None, {**SSE, "Mcp-Session-Id": "0" * 32}, 500, RAISING_AUTH,
         http_method="GET", exact=internal_error(None)),
    Edge("raising-auth-delete", None, {"Mcp-Session-Id": "0" * 32}, 500, RAISING_AUTH,
         http_method="DELETE", exact=internal_error(None)),
    # a throttle class that raises
    Edge("raising-throttle-modern", modern_call(8), modern_headers("tools/call", "echo"), 500,
         RAISING_THROTTLE, exact=internal_error(None)),
    Edge("raising-throttle-initialize", initialize("init-2"), JSON, 500, RAISING_THROTTLE,
         exact=internal_error(None)),
    # notifications/cancelled with ids nothing can hold: a notification is accepted, ignored
    Edge("cancel-object-id", cancelled({"a": 1}), {**JSON, "Mcp-Session-Id": SESSION}, 202),
    Edge("cancel-list-id", cancelled([1, 2]), {**JSON, "Mcp-Session-Id": SESSION}, 202),
    Edge("cancel-huge-id", cancelled(HUGE), {**JSON, "Mcp-Session-Id": SESSION}, 202),
    Edge("cancel-null-id", cancelled(None), {**JSON, "Mcp-Session-Id": SESSION}, 202),
    Edge("cancel-float-id", cancelled(1.5), {**JSON, "Mcp-Session-Id": SESSION}, 202),
    Edge("cancel-object-id-0326", cancelled({"a": 1}), {**JSON, "Mcp-Session-Id": SESSION_0326},
         202),
    Edge("cancel-object-id-in-batch", [cancelled({"a": [1]})],
         {**JSON, "Mcp-Session-Id": SESSION_0326}, 202),
    Edge("cancel-huge-id-in-batch", [cancelled(HUGE)], {**JSON, "Mcp-Session-Id": SESSION_0326},
         202),
    # Last-Event-ID values that are not ids this server hands out
    last_event_id("superscript-two", "abc-\u00b2"),
    last_event_id("superscripts", "abc-\u00b9\u00b2\u00b3"),
    last_event_id("superscript-two-utf8", "abc-\u00b2", encoding="utf-8"),
    last_event_id("arabic-indic-digits-utf8", "abc-\u0661\u0662", encoding="utf-8"),
    last_event_id("dash-only", "-"),
    last_event_id("huge-number", "x-99999999999999999999999"),
    last_event_id("empty", ""),
    last_event_id("300-chars", "a" * 300),
    last_event_id("stream-shaped-huge-number", "0123456789abcdef-" + "9" * 40),
    last_event_id("superscript-two-0326", "abc-\u00b2", SESSION_0326),
    # request ids far outside 64 bits are still JSON-RPC ids, echoed exactly
    Edge("modern-huge-id", modern_call(HUGE, "big"), modern_headers("tools/call", "echo"), 200,
         check=echoed(HUGE, "big")),
    Edge("modern-huge-negative-id", modern_call(-HUGE, "neg"),
         modern_headers("tools/call", "echo"), 200, check=echoed(-HUGE, "neg")),
    Edge("legacy-huge-id", echo("big", HUGE), {**JSON, "Mcp-Session-Id": SESSION}, 200,
         check=echoed(HUGE, "big")),
    Edge("legacy-huge-negative-id", echo("neg", -HUGE), {**JSON, "Mcp-Session-Id": SESSION},
         200, check=echoed(-HUGE, "neg")),
    Edge("batch-huge-id", [echo("big", HUGE)], {**JSON, "Mcp-Session-Id": SESSION_0326}, 200,
         check=batch_echoed(HUGE, "big")),
    # batches with items that are not messages: each gets its own Invalid Request answer
    Edge("batch-nested-array", [[legacy("ping")]], {**JSON, "Mcp-Session-Id": SESSION_0326},
         200, check=invalid_items(1)),
    Edge("batch-nested-array-and-ping", [[legacy("ping")], legacy("ping", request_id="p-2")],
         {**JSON, "Mcp-Session-Id": SESSION_0326}, 200, check=invalid_items(1, "p-2")),
    Edge("batch-of-scalars", [1, "x", None, []], {**JSON, "Mcp-Session-Id": SESSION_0326}, 200,
         check=invalid_items(4)),
    # one batch item runs past REQUEST_TIMEOUT: it alone gets the timeout error
    Edge("batch-item-timeout", TIMEOUT_BATCH, {**JSON, "Mcp-Session-Id": SHORT_0326}, 200,
         SHORT, check=timed_out_from_the_slow_item, seconds=2.9),
]


@dataclass
class Sessions:
    """Live legacy sessions, made on first use (the `short` server's expire after 1 s)."""

    base_url: str
    made: dict[str, LegacySession] = field(default_factory=dict)
    clients: list[RawClient] = field(default_factory=list)

    def id_for(self, placeholder: str) -> str:
        if placeholder not in self.made:
            path, version = SESSION_HOMES[placeholder]
            client = RawClient(self.base_url + path)
            self.clients.append(client)
            self.made[placeholder] = client.initialize(version)
        session_id = self.made[placeholder].id
        assert session_id is not None
        return session_id

    def headers(self, headers: dict[str, str | bytes]) -> dict[str, str | bytes]:
        return {name: self.id_for(value) if isinstance(value, str) and value in SESSION_HOMES
                else value
                for name, value in headers.items()}

    def close(self) -> None:
        for client in self.clients:
            client.close()


@pytest.fixture
def sessions(live_mcp_server) -> Iterator[Sessions]:
    made = Sessions(live_mcp_server.url)
    yield made
    made.close()


def send(http: httpx.Client, url: str, case: Edge, headers: dict[str, str | bytes]
         ) -> tuple[httpx.Response, Any, float]:
    """The response, its decoded JSON body (None for an empty body or an event stream, whose
    headers alone are read before the connection is closed) and the seconds it took."""
    content = case.body if isinstance(case.body, (bytes, str)) or case.body is None \
        else json.dumps(case.body)
    started = time.monotonic()
    with http.stream(case.http_method, url, content=content, headers=headers,
                     timeout=case.seconds + 10) as response:
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/event-stream"):
            return response, None, time.monotonic() - started
        response.read()
    elapsed = time.monotonic() - started
    if not response.content:
        return response, None, elapsed
    assert kind.startswith("application/json"), (response.status_code, kind, response.text)
    return response, response.json(), elapsed


def check_answer(case: Edge, response: httpx.Response, body: Any) -> None:
    statuses = case.status if isinstance(case.status, tuple) else (case.status,)
    assert response.status_code in statuses, (response.status_code, response.text)
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        assert case.sse_ok and response.status_code == 200, response.headers
        return
    if response.status_code == 202:
        assert body is None, body
        return
    assert body is not None, f"HTTP {response.status_code} without a JSON body"
    if response.status_code >= 400:
        assert isinstance(body, dict) and isinstance(body["error"]["code"], int), body
    if case.exact is not None:
        assert body == case.exact
    if case.code is not None and isinstance(body, dict) and "error" in body:
        assert body["error"]["code"] == case.code, body
    if case.check is not None:
        case.check(body)


def assert_bystander_served(raw: RawClient, sessions: Sessions) -> None:
    """The process still answers others, and the row's conformance sessions still work."""
    answer = raw.modern("tools/call", {"name": "echo", "arguments": {"text": "still here"}})
    assert answer.status == 200 and answer.result["content"][0]["text"] == "still here"
    for placeholder in (SESSION, SESSION_0326):
        if placeholder in sessions.made:
            assert sessions.made[placeholder].request("ping").status == 200


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_edge_input_gets_a_json_answer_and_the_server_carries_on(live_mcp_server, raw, sessions,
                                                                 case):
    headers = sessions.headers(case.headers)
    response, body, elapsed = send(raw.http, live_mcp_server.url + case.path, case, headers)
    check_answer(case, response, body)
    assert elapsed < case.seconds, f"answered after {elapsed:.1f} s"
    assert_bystander_served(raw, sessions)
