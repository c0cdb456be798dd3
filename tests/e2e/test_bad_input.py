"""Table of malformed requests: each gets its exact HTTP status and JSON-RPC code (grow it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.helpers import ACCEPT_BOTH, MODERN, meta, modern_headers

JSON = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
SESSION = "<session>"  # replaced by a live 2025-11-25 session id
SESSION_0326 = "<session-0326>"


def call(method: str, params: dict[str, Any] | None = None, request_id: Any = 1,
         with_meta: bool = True) -> dict[str, Any]:
    params = dict(params or {})
    if with_meta:
        params["_meta"] = meta()
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


@dataclass
class Case:
    id: str
    body: Any
    headers: dict[str, str]
    status: int
    code: int | None = None
    error_id: Any = field(default="unset")
    http_method: str = "POST"


CASES = [
    Case("not-json", b"{nope", modern_headers("tools/list"), 400, -32700, error_id=None),
    Case("empty-body", b"", modern_headers("tools/list"), 400, -32700),
    Case("json-not-object", "42", modern_headers("tools/list"), 400, -32600),
    Case("jsonrpc-1.0", {"jsonrpc": "1.0", "id": 3, "method": "tools/list"},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("method-not-string", {"jsonrpc": "2.0", "id": 3, "method": 7},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("params-array", {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": []},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("id-bool", {"jsonrpc": "2.0", "id": True, "method": "tools/list", "params": {}},
         JSON, 400, -32600),
    Case("wrong-content-type", call("tools/list"),
         {**modern_headers("tools/list"), "Content-Type": "text/plain"}, 415, -32600),
    Case("accept-json-only", call("tools/list"),
         {**modern_headers("tools/list"), "Accept": "application/json"}, 406, -32600),
    Case("accept-html-only", call("tools/list"),
         {**modern_headers("tools/list"), "Accept": "text/html"}, 406, -32600),
    Case("foreign-origin", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": "http://evil.example"}, 403, -32600),
    Case("foreign-host", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "evil.example"}, 421, -32600),
    Case("put-method", call("tools/list"), modern_headers("tools/list"), 405,
         http_method="PUT"),
    # modern validation order (table 1.1 and its notes)
    Case("meta-without-version-header", call("tools/list"),
         {k: v for k, v in modern_headers("tools/list").items()
          if k != "MCP-Protocol-Version"}, 400, -32020, error_id=1),
    Case("header-meta-mismatch", call("tools/list"),
         {**modern_headers("tools/list"), "MCP-Protocol-Version": "2025-11-25"}, 400, -32020,
         error_id=1),
    Case("unsupported-version", {"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {
        "_meta": {**meta(), "io.modelcontextprotocol/protocolVersion": "1900-01-01"}}},
         {**modern_headers("tools/list"), "MCP-Protocol-Version": "1900-01-01"}, 400, -32022,
         error_id=9),
    Case("legacy-version-in-meta", {"jsonrpc": "2.0", "id": 9, "method": "tools/list",
                                    "params": {"_meta": {
                                        **meta(),
                                        "io.modelcontextprotocol/protocolVersion": "2025-11-25"}}},
         {**modern_headers("tools/list"), "MCP-Protocol-Version": "2025-11-25"}, 400, -32022,
         error_id=9),
    Case("modern-header-no-meta", call("tools/list", with_meta=False),
         modern_headers("tools/list"), 400, -32602, error_id=1),
    Case("meta-without-capabilities", {"jsonrpc": "2.0", "id": 4, "method": "tools/list",
                                       "params": {"_meta": {
                                           "io.modelcontextprotocol/protocolVersion": MODERN}}},
         modern_headers("tools/list"), 400, -32602, error_id=4),
    Case("bad-log-level", call("tools/list", {"_meta": {}}) | {"params": {"_meta": {
        **meta(), "io.modelcontextprotocol/logLevel": "loud"}}},
         modern_headers("tools/list"), 400, -32602, error_id=1),
    Case("mcp-method-missing", call("tools/list"),
         {k: v for k, v in modern_headers("tools/list").items() if k != "Mcp-Method"},
         400, -32020, error_id=1),
    Case("mcp-method-case", call("tools/list"), modern_headers("TOOLS/LIST"), 400, -32020,
         error_id=1),
    Case("mcp-name-missing", call("tools/call", {"name": "echo", "arguments": {"text": "a"}}),
         modern_headers("tools/call"), 400, -32020, error_id=1),
    Case("mcp-name-mismatch", call("tools/call", {"name": "echo", "arguments": {"text": "a"}}),
         modern_headers("tools/call", "other"), 400, -32020, error_id=1),
    Case("mcp-name-bad-base64", call("tools/call", {"name": "echo", "arguments": {"text": "a"}}),
         modern_headers("tools/call", "=?base64?%%%?="), 400, -32020, error_id=1),
    Case("removed-method-initialize", call("initialize"), modern_headers("initialize"), 404,
         -32601, error_id=1),
    Case("removed-method-ping", call("ping"), modern_headers("ping"), 404, -32601, error_id=1),
    Case("unknown-method", call("foo/bar"), modern_headers("foo/bar"), 404, -32601, error_id=1),
    Case("modern-response-from-client", {"jsonrpc": "2.0", "id": 1, "result": {}},
         modern_headers("tools/list"), 400, -32600, error_id=1),
    Case("modern-notification-accepted", {"jsonrpc": "2.0", "method": "notifications/x",
                                          "params": {"_meta": meta()}},
         modern_headers("notifications/x"), 202),
    # legacy rows
    Case("legacy-no-session", call("tools/list", with_meta=False), JSON, 400, -32600),
    Case("legacy-unknown-session", call("tools/list", with_meta=False),
         {**JSON, "Mcp-Session-Id": "0" * 32}, 404),
    Case("legacy-header-not-served", call("tools/list", with_meta=False),
         {**JSON, "MCP-Protocol-Version": "banana"}, 400, -32022),
    Case("batch-without-session", [call("ping", with_meta=False)], JSON, 400, -32600),
    Case("batch-in-2025-11-25-session", [call("ping", with_meta=False)],
         {**JSON, "Mcp-Session-Id": SESSION}, 400, -32600),
    Case("batch-with-initialize", [call("initialize", with_meta=False)],
         {**JSON, "Mcp-Session-Id": SESSION_0326}, 400, -32600),
    Case("empty-batch", [], {**JSON, "Mcp-Session-Id": SESSION_0326}, 400, -32600),
    Case("get-without-session", None, {"Accept": "text/event-stream"}, 400, http_method="GET"),
    Case("delete-without-session", None, {}, 400, http_method="DELETE"),
    Case("get-unknown-session", None, {"Accept": "text/event-stream", "Mcp-Session-Id": "x"},
         404, http_method="GET"),
]


@pytest.fixture
def sessions(raw) -> dict[str, str]:
    return {SESSION: raw.initialize("2025-11-25").id,
            SESSION_0326: raw.initialize("2025-03-26").id}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_a_precise_answer(raw, sessions, case):
    headers = {name: sessions.get(value, value) for name, value in case.headers.items()}
    content = case.body if isinstance(case.body, (bytes, str)) or case.body is None \
        else json.dumps(case.body)
    response = raw.http.request(case.http_method, raw.url, content=content, headers=headers)
    assert response.status_code == case.status, response.text
    if case.code is None:
        return
    body = response.json()
    assert body["error"]["code"] == case.code, body
    if case.error_id != "unset":
        assert body.get("id") == case.error_id, body


def test_oversize_body_is_413(raw):
    response = raw.http.post(raw.url, content=b"x" * (4 * 1024 * 1024 + 1),
                             headers=modern_headers("tools/list"))
    assert response.status_code == 413


def test_server_survives_the_table(raw):
    """After all of the above the endpoint still answers."""
    assert raw.modern("tools/list").status == 200
