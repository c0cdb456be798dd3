"""Table of malformed requests: each gets its exact HTTP status and JSON-RPC code (grow it)."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.helpers import ACCEPT_BOTH, MODERN, RawClient, meta, modern_headers

JSON = {"Content-Type": "application/json", "Accept": ACCEPT_BOTH}
SSE = {"Accept": "text/event-stream"}
NO_ID = None  # error_id for an answer that must leave `id` out (MCP schemas forbid null)
UNSET = "unset"  # error_id not checked

# -- placeholders, replaced (in headers and bodies) by live values made on first use ----------
SESSION = "<session>"  # a live 2025-11-25 session id on the conformance server
SESSION_0326 = "<session-0326>"
SESSION_0618 = "<session-0618>"
TIGHT_0326 = "<tight-session-0326>"  # on `tight` (MAX_BATCH=5, MAX_BATCH_RESPONSE_BYTES=2000)
TIGHT_1125 = "<tight-session>"  # on `tight` (ANONYMOUS_TASKS off)
OTHER_TASK = "<task-of-another-session>"  # a task made in another anonymous conformance session
LIMITED = "<limited-session>"  # on `limited` (MAX_SUBSCRIPTIONS=2, MAX_URI_LENGTH=64)
DELETED = "<deleted-session>"  # a conformance session that was ended with DELETE
ALICE_SESSION = "<alice-session>"  # alice's session on /secure/mcp
ALICE, BOB = "<alice>", "<bob>"  # `Bearer …` for users without permissions
EDITOR, READER = "<editor>", "<reader>"  # `Bearer …` for library editors and readers
REVOKED, EXPIRED = "<revoked>", "<expired>"
THROTTLED = "<throttled-user>"  # `Bearer …` of a user spending the 5/minute of throttled-auth
STATE = "<request-state>"  # a requestState sealed for test_input_required_result_request_state
TAMPERED_STATE = "<tampered-request-state>"
SELF_ORIGIN = "<self-origin>"  # the live server's own origin

CONFORMANCE = "/conformance/mcp"
SECURE = "/secure/mcp"
TIGHT = "/tight/mcp"
LIMITED_PATH = "/limited/mcp"
STATELESS = "/stateless/mcp"
THROTTLED_PATH = "/throttled-auth/mcp"
ROLES = {"nobody": [], "revoked": [], "reader": ["view_book", "view_author"],
         "editor": ["view_book", "add_book", "change_book", "delete_book", "view_author"]}
TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
ASK_ALL = {"elicitation": {}, "sampling": {}, "roots": {}}
CONFIRMED = {"confirm": {"action": "accept", "content": {"ok": True}}}
MAX_BODY = 4 * 1024 * 1024


def call(method: str, params: dict[str, Any] | None = None, request_id: Any = 1,
         with_meta: bool = True, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
    params = dict(params or {})
    if with_meta:
        params["_meta"] = meta(capabilities)
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def legacy(method: str, params: dict[str, Any] | None = None, request_id: Any = 1
           ) -> dict[str, Any]:
    return call(method, params, request_id, with_meta=False)


def tool(name: str, arguments: Any, capabilities: dict[str, Any] | None = None,
         **extra: Any) -> dict[str, Any]:
    """A modern tools/call (send it with `modern_headers("tools/call", name)`)."""
    return call("tools/call", {"name": name, "arguments": arguments, **extra},
                capabilities=capabilities)


def legacy_tool(name: str, arguments: Any, request_id: Any = 1, **extra: Any) -> dict[str, Any]:
    return legacy("tools/call", {"name": name, "arguments": arguments, **extra}, request_id)


def initialize(request_id: Any = "init", client_info: Any = None, capabilities: Any = None
               ) -> dict[str, Any]:
    return legacy("initialize", {"protocolVersion": "2025-11-25",
                                 "capabilities": capabilities or {},
                                 "clientInfo": client_info or {"name": "bad", "version": "1"}},
                  request_id)


def slow_task(ttl: Any) -> dict[str, Any]:
    return legacy_tool("slow_compute", {"seconds": 0.1}, task={"ttl": ttl})


def session_headers(session: str, version: str = "2025-11-25", **extra: str) -> dict[str, str]:
    return {**JSON, "Mcp-Session-Id": session, "MCP-Protocol-Version": version, **extra}


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# -- checks on a JSON body beyond the error code ---------------------------------------------
def answered(request_id: Any = 1) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert isinstance(body, dict) and body.get("id") == request_id, body
        assert "result" in body and "error" not in body, body
        assert not body["result"].get("isError"), body
    return check


def tool_error(*words: str) -> Callable[[Any], None]:
    """An in-band tool error (result.isError) whose text names every word."""
    def check(body: Any) -> None:
        assert isinstance(body, dict) and body.get("id") == 1 and "error" not in body, body
        result = body["result"]
        text = result["content"][0]["text"]
        assert result["isError"] is True and all(word in text for word in words), result
        assert "Traceback" not in text, text
    return check


def batch(*expected: tuple[Any, str]) -> Callable[[Any], None]:
    """A batch answer: (id, "result" | "error") per item, in order."""
    def check(body: Any) -> None:
        assert isinstance(body, list), body
        assert [(item.get("id"), "result" if "result" in item else "error") for item in body] \
            == list(expected), body
    return check


def batch_cut_by_response_limit(body: Any) -> None:
    """MAX_BATCH_RESPONSE_BYTES: the first answers are kept, the tail becomes errors."""
    assert isinstance(body, list) and [item["id"] for item in body] == [0, 1, 2, 3, 4], body
    kinds = ["result" if "result" in item else "error" for item in body]
    assert kinds[0] == "result" and kinds[-1] == "error", kinds
    assert kinds == sorted(kinds, key=lambda kind: kind == "error"), kinds
    assert all("MAX_BATCH_RESPONSE_BYTES" in item["error"]["message"]
               for item in body if "error" in item), body


def nested_refused(body: Any) -> None:
    """A nested array is an Invalid Request item without an id; the ping is answered."""
    assert isinstance(body, list) and len(body) == 2, body
    refused, answered_ping = body
    assert refused["error"]["code"] == -32600 and "id" not in refused, refused
    assert answered_ping == {"jsonrpc": "2.0", "id": "p", "result": {}}, answered_ping


def initialized(body: Any) -> None:
    assert isinstance(body, dict) and body["result"]["protocolVersion"] == "2025-11-25", body


# -- the table --------------------------------------------------------------------------------
@dataclass
class Case:
    id: str
    body: Any
    headers: dict[str, Any]
    status: int
    code: int | None = None          # the JSON-RPC error code; None: see `check`, `sse`, empty
    error_id: Any = field(default=UNSET)  # NO_ID: `id` left out; else the exact id
    http_method: str = "POST"
    path: str = CONFORMANCE
    check: Callable[[Any], None] | None = None  # for a JSON answer that is not an error
    sse: bool = False                # a text/event-stream answer (only its headers are read)
    wire: bool = False               # sent on a raw socket: exactly these headers, no defaults
    declared_length: int | None = None  # (wire) Content-Length sent instead of the body's own
    given: str | None = None         # a precondition made first (see GIVEN)
    expect_headers: dict[str, str] = field(default_factory=dict)  # name → substring


CASES = [
    Case("not-json", b"{nope", modern_headers("tools/list"), 400, -32700, error_id=NO_ID),
    Case("empty-body", b"", modern_headers("tools/list"), 400, -32700, error_id=NO_ID),
    Case("json-not-object", "42", modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("jsonrpc-1.0", {"jsonrpc": "1.0", "id": 3, "method": "tools/list"},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("method-not-string", {"jsonrpc": "2.0", "id": 3, "method": 7},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("params-array", {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": []},
         modern_headers("tools/list"), 400, -32600, error_id=3),
    Case("id-bool", {"jsonrpc": "2.0", "id": True, "method": "tools/list", "params": {}},
         JSON, 400, -32600, error_id=NO_ID),
    Case("wrong-content-type", call("tools/list"),
         {**modern_headers("tools/list"), "Content-Type": "text/plain"}, 415, -32600,
         error_id=NO_ID),
    Case("accept-json-only", call("tools/list"),
         {**modern_headers("tools/list"), "Accept": "application/json"}, 406, -32600,
         error_id=NO_ID),
    Case("accept-html-only", call("tools/list"),
         {**modern_headers("tools/list"), "Accept": "text/html"}, 406, -32600, error_id=NO_ID),
    Case("foreign-origin", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": "http://evil.example"}, 403, -32600,
         error_id=NO_ID),
    Case("foreign-host", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "evil.example"}, 421, -32600, error_id=NO_ID),
    Case("put-method", call("tools/list"), modern_headers("tools/list"), 405, -32600,
         error_id=NO_ID, http_method="PUT", expect_headers={"allow": "POST"}),
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
    Case("legacy-no-session", call("tools/list", with_meta=False), JSON, 400, -32600,
         error_id=NO_ID),
    Case("legacy-unknown-session", call("tools/list", with_meta=False),
         {**JSON, "Mcp-Session-Id": "0" * 32}, 404, -32001, error_id=NO_ID),
    Case("legacy-header-not-served", call("tools/list", with_meta=False),
         {**JSON, "MCP-Protocol-Version": "banana"}, 400, -32022, error_id=1),
    Case("batch-without-session", [call("ping", with_meta=False)], JSON, 400, -32600,
         error_id=NO_ID),
    Case("batch-in-2025-11-25-session", [call("ping", with_meta=False)],
         {**JSON, "Mcp-Session-Id": SESSION}, 400, -32600, error_id=NO_ID),
    Case("batch-with-initialize", [call("initialize", with_meta=False)],
         {**JSON, "Mcp-Session-Id": SESSION_0326}, 400, -32600, error_id=NO_ID),
    Case("empty-batch", [], {**JSON, "Mcp-Session-Id": SESSION_0326}, 400, -32600,
         error_id=NO_ID),
    Case("get-without-session", None, SSE, 400, -32600, error_id=NO_ID, http_method="GET"),
    Case("delete-without-session", None, {}, 400, -32600, error_id=NO_ID,
         http_method="DELETE"),
    Case("get-unknown-session", None, {**SSE, "Mcp-Session-Id": "x"}, 404, -32001,
         error_id=NO_ID, http_method="GET"),

    # == body ==================================================================================
    Case("body-null", b"null", modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("body-true", b"true", modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("body-string", b'"tools/list"', modern_headers("tools/list"), 400, -32600,
         error_id=NO_ID),
    Case("body-invalid-utf8", b"\xff\xfe{}", modern_headers("tools/list"), 400, -32700,
         error_id=NO_ID),
    Case("body-nan-id", b'{"jsonrpc":"2.0","id":NaN,"method":"tools/list"}',
         modern_headers("tools/list"), 400, -32700, error_id=NO_ID),
    Case("body-trailing-garbage", b'{"jsonrpc":"2.0","id":1,"method":"tools/list"} x',
         modern_headers("tools/list"), 400, -32700, error_id=NO_ID),
    Case("body-nested-5000-arrays", b"[" * 5000 + b"]" * 5000, modern_headers("tools/list"),
         400, -32700, error_id=NO_ID),
    Case("body-nested-5000-objects", b'{"a":' * 5000 + b"1" + b"}" * 5000,
         modern_headers("tools/list"), 400, -32700, error_id=NO_ID),
    Case("jsonrpc-missing", {"id": 1, "method": "tools/list", "params": {"_meta": meta()}},
         modern_headers("tools/list"), 400, -32600, error_id=1),
    Case("id-float", {"jsonrpc": "2.0", "id": 1.5, "method": "tools/list",
                      "params": {"_meta": meta()}},
         modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("id-null", {"jsonrpc": "2.0", "id": None, "method": "tools/list",
                     "params": {"_meta": meta()}},
         modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("id-object", {"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"},
         modern_headers("tools/list"), 400, -32600, error_id=NO_ID),
    Case("method-empty", {"jsonrpc": "2.0", "id": 5, "method": "", "params": {}},
         modern_headers("tools/list"), 400, -32600, error_id=5),
    Case("params-string", {"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": "x"},
         modern_headers("tools/list"), 400, -32600, error_id=5),
    Case("no-method-result-or-error", {"jsonrpc": "2.0", "id": 5},
         modern_headers("tools/list"), 400, -32600, error_id=5),
    Case("response-without-id", {"jsonrpc": "2.0", "result": {}}, JSON, 400, -32600,
         error_id=NO_ID),
    Case("response-without-session", {"jsonrpc": "2.0", "id": 3, "result": {}}, JSON, 400,
         -32600, error_id=3),
    Case("response-error-not-object", {"jsonrpc": "2.0", "id": 9, "error": "x"},
         session_headers(SESSION), 400, -32600, error_id=9),
    Case("response-result-and-error", {"jsonrpc": "2.0", "id": 9, "result": {},
                                       "error": {"code": 1, "message": "m"}},
         session_headers(SESSION), 400, -32600, error_id=9),
    # daphne buffers a whole body before the application starts, so a declared size is only
    # refused once the bytes arrived (the proxy's body limit is what saves the upload)
    Case("declared-oversize-body", b"x" * (MAX_BODY + 1), modern_headers("tools/list"), 413,
         -32600, error_id=NO_ID, wire=True),
    Case("oversize-body-without-token", b"x" * (MAX_BODY + 1), modern_headers("tools/list"),
         401, -32600, error_id=NO_ID, path=SECURE, wire=True),
    Case("tool-argument-wrong-type", tool("echo", {"text": 5}),
         modern_headers("tools/call", "echo"), 200, check=tool_error("text")),
    Case("tool-argument-missing", tool("echo", {}), modern_headers("tools/call", "echo"), 200,
         check=tool_error("text", "Field required")),
    Case("tool-arguments-not-object", tool("echo", "text"),
         modern_headers("tools/call", "echo"), 200, -32602, error_id=1),
    Case("tool-name-number", tool(5, {}), modern_headers("tools/call", "5"), 400, -32020,
         error_id=1),
    Case("tool-unknown", tool("no_such_tool", {}), modern_headers("tools/call", "no_such_tool"),
         200, -32602, error_id=1),

    # == headers ===============================================================================
    Case("accept-missing", call("tools/list"),
         {k: v for k, v in modern_headers("tools/list").items() if k != "Accept"}, 406, -32600,
         error_id=NO_ID, wire=True),
    Case("accept-star", call("tools/list"), {**modern_headers("tools/list"), "Accept": "*/*"},
         200, check=answered()),
    Case("accept-sse-only", call("tools/list"),
         {**modern_headers("tools/list"), "Accept": "text/event-stream"}, 406, -32600,
         error_id=NO_ID),
    Case("accept-with-q-values", call("tools/list"), {
        **modern_headers("tools/list"),
        "Accept": "application/json;q=0.5, text/event-stream;q=1"}, 200, check=answered()),
    Case("content-type-missing", call("tools/list"),
         {k: v for k, v in modern_headers("tools/list").items() if k != "Content-Type"}, 415,
         -32600, error_id=NO_ID, wire=True),
    Case("content-type-charset", call("tools/list"), {
        **modern_headers("tools/list"), "Content-Type": "application/json; charset=utf-8"},
         200, check=answered()),
    Case("content-type-uppercase", call("tools/list"),
         {**modern_headers("tools/list"), "Content-Type": "APPLICATION/JSON"}, 200,
         check=answered()),
    Case("content-type-two-types", call("tools/list"),
         {**modern_headers("tools/list"), "Content-Type": "application/json, text/plain"},
         415, -32600, error_id=NO_ID),
    Case("content-type-lookalike", call("tools/list"),
         {**modern_headers("tools/list"), "Content-Type": "application/jsonx"}, 415, -32600,
         error_id=NO_ID),
    Case("version-header-banana-in-session", legacy("tools/list", request_id=9),
         session_headers(SESSION, "banana"), 400, -32022, error_id=9),
    Case("version-header-modern-in-session", legacy("tools/list", request_id=9),
         session_headers(SESSION, MODERN), 400, -32602, error_id=9),
    Case("mcp-method-padded", call("tools/list"), modern_headers("  tools/list  "), 200,
         check=answered(), wire=True),
    Case("mcp-name-base64", tool("echo", {"text": "a"}),
         modern_headers("tools/call", "=?base64?ZWNobw==?="), 200, check=answered()),
    Case("mcp-name-base64-not-utf8", tool("echo", {"text": "a"}),
         modern_headers("tools/call", "=?base64?//8=?="), 400, -32020, error_id=1),
    Case("mcp-name-base64-unpadded", tool("echo", {"text": "a"}),
         modern_headers("tools/call", "=?base64?ZWNobw?="), 400, -32020, error_id=1),
    Case("mcp-name-latin1-bytes", tool("echo", {"text": "a"}),
         {**modern_headers("tools/call"), "Mcp-Name": "ech\u00f6".encode("latin-1")}, 400,
         -32020, error_id=1),
    Case("mcp-param-missing", tool("test_x_mcp_header", {"region": "eu"}),
         modern_headers("tools/call", "test_x_mcp_header"), 400, -32020, error_id=1),
    Case("mcp-param-mismatch", tool("test_x_mcp_header", {"region": "eu"}),
         {**modern_headers("tools/call", "test_x_mcp_header"), "Mcp-Param-Region": "us"}, 400,
         -32020, error_id=1),
    Case("mcp-param-matches", tool("test_x_mcp_header", {"region": "eu"}),
         {**modern_headers("tools/call", "test_x_mcp_header"), "Mcp-Param-Region": "eu"}, 200,
         check=answered()),
    Case("mcp-param-base64", tool("test_x_mcp_header", {"region": "eu"}), {
        **modern_headers("tools/call", "test_x_mcp_header"),
        "Mcp-Param-Region": "=?base64?ZXU=?="}, 200, check=answered()),
    Case("mcp-param-without-argument", tool("test_x_mcp_header", {}),
         {**modern_headers("tools/call", "test_x_mcp_header"), "Mcp-Param-Region": "eu"}, 400,
         -32020, error_id=1),
    Case("mcp-name-resource-mismatch", call("resources/read", {"uri": "test://static-text"}),
         modern_headers("resources/read", "test://other"), 400, -32020, error_id=1),
    Case("mcp-name-prompt-missing", call("prompts/get", {"name": "test_simple_prompt"}),
         modern_headers("prompts/get"), 400, -32020, error_id=1),
    Case("mcp-name-task-id-number", call("tasks/get", {"taskId": 123}, capabilities=TASKS),
         modern_headers("tasks/get", "123"), 400, -32020, error_id=1),

    # == Host and Origin (checked before anything else) ========================================
    Case("origin-allowed", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": "https://allowed.example"}, 200,
         check=answered()),
    Case("origin-self", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": SELF_ORIGIN}, 200, check=answered()),
    Case("origin-null", call("tools/list"), {**modern_headers("tools/list"), "Origin": "null"},
         403, -32600, error_id=NO_ID),
    Case("origin-other-port", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": "http://127.0.0.1:1"}, 403, -32600,
         error_id=NO_ID),
    Case("host-other-port", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "localhost:1"}, 200, check=answered()),
    Case("host-suffix", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "127.0.0.1.evil.example"}, 421, -32600,
         error_id=NO_ID),
    Case("host-userinfo", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "evil.example@127.0.0.1"}, 421, -32600,
         error_id=NO_ID),
    Case("host-empty", call("tools/list"), {**modern_headers("tools/list"), "Host": ""}, 421,
         -32600, error_id=NO_ID),
    Case("foreign-host-before-auth", call("tools/list"),
         {**modern_headers("tools/list"), "Host": "evil.example"}, 421, -32600,
         error_id=NO_ID, path=SECURE),
    Case("foreign-origin-before-auth", call("tools/list"),
         {**modern_headers("tools/list"), "Origin": "http://evil.example"}, 403, -32600,
         error_id=NO_ID, path=SECURE),
    Case("foreign-origin-get", None, {**SSE, "Origin": "http://evil.example"}, 403, -32600,
         error_id=NO_ID, http_method="GET"),
    Case("foreign-origin-delete", None, {"Origin": "http://evil.example"}, 403, -32600,
         error_id=NO_ID, http_method="DELETE"),

    # == authentication (/secure/mcp: tokens required) =========================================
    Case("auth-missing", call("tools/list"), modern_headers("tools/list"), 401, -32600,
         error_id=NO_ID, path=SECURE,
         expect_headers={"www-authenticate": 'Bearer resource_metadata="'}),
    Case("auth-bearer-without-token", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": "Bearer"}, 401, -32600,
         error_id=NO_ID, path=SECURE, expect_headers={"www-authenticate": "invalid_token"}),
    Case("auth-unknown-token", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": "Bearer mcp_nope_nope"}, 401, -32600,
         error_id=NO_ID, path=SECURE, expect_headers={"www-authenticate": "invalid_token"}),
    Case("auth-basic-scheme", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": "Basic dXNlcjpwYXNz"}, 401, -32600,
         error_id=NO_ID, path=SECURE, expect_headers={"www-authenticate": "invalid_token"}),
    Case("auth-token-scheme", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": "Token abc"}, 401, -32600,
         error_id=NO_ID, path=SECURE, expect_headers={"www-authenticate": "invalid_token"}),
    Case("auth-revoked-token", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": REVOKED}, 401, -32600,
         error_id=NO_ID, path=SECURE),
    Case("auth-expired-token", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": EXPIRED}, 401, -32600,
         error_id=NO_ID, path=SECURE),
    Case("auth-missing-initialize", initialize(), JSON, 401, -32600, error_id=NO_ID,
         path=SECURE),
    Case("auth-missing-get", None, {**SSE, "Mcp-Session-Id": "0" * 32}, 401, -32600,
         error_id=NO_ID, path=SECURE, http_method="GET"),
    Case("auth-missing-delete", None, {"Mcp-Session-Id": "0" * 32}, 401, -32600,
         error_id=NO_ID, path=SECURE, http_method="DELETE"),
    Case("auth-before-parse", b"{nope", JSON, 401, -32600, error_id=NO_ID, path=SECURE),
    Case("auth-valid-token", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": ALICE}, 200, check=answered(),
         path=SECURE),

    # == sessions ==============================================================================
    Case("session-id-path-traversal", legacy("tools/list", request_id=7),
         session_headers("../../etc/passwd"), 404, -32001, error_id=NO_ID),
    Case("session-id-5000-chars", legacy("tools/list", request_id=7),
         session_headers("x" * 5000), 404, -32001, error_id=NO_ID),
    Case("session-of-another-server", legacy("tools/list", request_id=7),
         session_headers(SESSION), 404, -32001, error_id=NO_ID, path=LIMITED_PATH),
    Case("session-anonymous-used-with-a-token", legacy("tools/list", request_id=7),
         session_headers(SESSION, Authorization=ALICE), 404, -32001, error_id=NO_ID),
    Case("session-of-another-user", legacy("tools/list", request_id=7),
         session_headers(ALICE_SESSION, Authorization=BOB), 404, -32001, error_id=NO_ID,
         path=SECURE),
    Case("session-of-a-user-without-token", legacy("tools/list", request_id=7),
         session_headers(ALICE_SESSION), 401, -32600, error_id=NO_ID, path=SECURE),
    Case("session-after-delete", legacy("tools/list", request_id=7), session_headers(DELETED),
         404, -32001, error_id=NO_ID),
    Case("delete-after-delete", None, {"Mcp-Session-Id": DELETED}, 404, -32001,
         error_id=NO_ID, http_method="DELETE"),
    Case("get-after-delete", None, {**SSE, "Mcp-Session-Id": DELETED}, 404, -32001,
         error_id=NO_ID, http_method="GET"),
    Case("initialize-past-max-sessions", initialize("full"), JSON, 503, -32000,
         error_id=NO_ID, path=LIMITED_PATH, given="limited-full",
         expect_headers={"retry-after": ""}),
    Case("initialize-client-info-over-max", initialize("big", {"name": "x" * 600,
                                                               "version": "1"}),
         JSON, 200, -32602, error_id="big", path=LIMITED_PATH),
    Case("initialize-capabilities-over-max",
         initialize("big", capabilities={"experimental": {"blob": "y" * 600}}),
         JSON, 200, -32602, error_id="big", path=LIMITED_PATH),
    # protocol state: before initialize, and initialize again
    Case("reinitialize-live-session", initialize("re"), session_headers(SESSION), 400, -32600,
         error_id="re"),
    Case("initialize-with-unknown-session-id", initialize("fresh"),
         {**JSON, "Mcp-Session-Id": "0" * 32}, 200, check=initialized),
    Case("initialized-before-initialize", {"jsonrpc": "2.0",
                                           "method": "notifications/initialized"},
         JSON, 400, -32600, error_id=NO_ID),
    Case("ping-before-initialize", legacy("ping"), JSON, 400, -32600, error_id=NO_ID),

    # == tasks =================================================================================
    Case("modern-tasks-get-unknown", call("tasks/get", {"taskId": "nope"}, capabilities=TASKS),
         modern_headers("tasks/get", "nope"), 200, -32602, error_id=1),
    Case("modern-tasks-get-without-extension", call("tasks/get", {"taskId": "nope"}),
         modern_headers("tasks/get", "nope"), 400, -32021, error_id=1),
    Case("modern-tasks-update-without-extension",
         call("tasks/update", {"taskId": "nope", "inputResponses": {}}),
         modern_headers("tasks/update", "nope"), 400, -32021, error_id=1),
    Case("modern-tasks-cancel-without-extension", call("tasks/cancel", {"taskId": "nope"}),
         modern_headers("tasks/cancel", "nope"), 400, -32021, error_id=1),
    Case("modern-tasks-update-responses-not-object",
         call("tasks/update", {"taskId": "nope", "inputResponses": "x"}, capabilities=TASKS),
         modern_headers("tasks/update", "nope"), 200, -32602, error_id=1),
    Case("modern-tasks-list-is-legacy-only", call("tasks/list", capabilities=TASKS),
         modern_headers("tasks/list"), 404, -32601, error_id=1),
    Case("legacy-task-ttl-string", slow_task("1000"), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-ttl-bool", slow_task(True), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-ttl-negative", slow_task(-5), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-ttl-float", slow_task(1.5), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-ttl-zero", slow_task(0), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-ttl-list", slow_task([1000]), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-task-on-a-tool-without-tasks", legacy_tool("echo", {"text": "x"}, task={}),
         session_headers(SESSION), 200, -32601, error_id=1),
    Case("legacy-required-task-called-plainly", legacy_tool("failing_job", {}),
         session_headers(SESSION), 200, -32601, error_id=1),
    Case("legacy-tasks-get-unknown", legacy("tasks/get", {"taskId": "nope"}),
         session_headers(SESSION), 200, -32602, error_id=1),
    Case("legacy-tasks-result-unknown", legacy("tasks/result", {"taskId": "nope"}),
         session_headers(SESSION), 200, -32602, error_id=1),
    Case("legacy-tasks-get-task-id-number", legacy("tasks/get", {"taskId": 5}),
         session_headers(SESSION), 200, -32602, error_id=1),
    Case("legacy-tasks-in-2025-06-18-session", legacy("tasks/list"),
         session_headers(SESSION_0618, "2025-06-18"), 200, -32601, error_id=1),
    # anonymous tasks belong to the session that made them (ANONYMOUS_TASKS on conformance)
    Case("legacy-tasks-get-of-another-session", legacy("tasks/get", {"taskId": OTHER_TASK}),
         session_headers(SESSION), 200, -32602, error_id=1),
    Case("legacy-tasks-result-of-another-session",
         legacy("tasks/result", {"taskId": OTHER_TASK}), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("legacy-tasks-cancel-of-another-session",
         legacy("tasks/cancel", {"taskId": OTHER_TASK}), session_headers(SESSION), 200, -32602,
         error_id=1),
    Case("modern-tasks-get-of-a-session-task",
         call("tasks/get", {"taskId": OTHER_TASK}, capabilities=TASKS),
         modern_headers("tasks/get", OTHER_TASK), 200, -32602, error_id=1),
    Case("legacy-anonymous-task-without-anonymous-tasks",
         legacy_tool("slow_compute", {"seconds": 0.1}, task={}), session_headers(TIGHT_1125),
         200, -32601, error_id=1, path=TIGHT),

    # == requestState (2026-07-28 multi-round requests) ========================================
    Case("request-state-number", tool("test_input_required_result_tampered_state", {},
                                      ASK_ALL, inputResponses=CONFIRMED, requestState=42),
         modern_headers("tools/call", "test_input_required_result_tampered_state"), 200,
         -32602, error_id=1),
    Case("request-state-list", tool("test_input_required_result_tampered_state", {}, ASK_ALL,
                                    inputResponses=CONFIRMED, requestState=[STATE]),
         modern_headers("tools/call", "test_input_required_result_tampered_state"), 200,
         -32602, error_id=1),
    Case("request-state-garbage", tool("test_input_required_result_tampered_state", {},
                                       ASK_ALL, inputResponses=CONFIRMED,
                                       requestState="not-a-state"),
         modern_headers("tools/call", "test_input_required_result_tampered_state"), 200,
         -32602, error_id=1),
    Case("request-state-empty", tool("test_input_required_result_tampered_state", {}, ASK_ALL,
                                     inputResponses=CONFIRMED, requestState=""),
         modern_headers("tools/call", "test_input_required_result_tampered_state"), 200,
         -32602, error_id=1),
    Case("request-state-tampered", tool("test_input_required_result_request_state", {},
                                        ASK_ALL, inputResponses=CONFIRMED,
                                        requestState=TAMPERED_STATE),
         modern_headers("tools/call", "test_input_required_result_request_state"), 200,
         -32602, error_id=1),
    Case("request-state-of-another-tool", tool("test_input_required_result_tampered_state",
                                               {}, ASK_ALL, inputResponses=CONFIRMED,
                                               requestState=STATE),
         modern_headers("tools/call", "test_input_required_result_tampered_state"), 200,
         -32602, error_id=1),
    Case("request-state-of-other-arguments", tool("test_input_required_result_request_state",
                                                  {"extra": 1}, ASK_ALL,
                                                  inputResponses=CONFIRMED, requestState=STATE),
         modern_headers("tools/call", "test_input_required_result_request_state"), 200,
         -32602, error_id=1),
    Case("request-state-on-a-prompt", call("prompts/get", {
        "name": "test_input_required_result_prompt", "requestState": STATE},
        capabilities=ASK_ALL),
         modern_headers("prompts/get", "test_input_required_result_prompt"), 200, -32602,
         error_id=1),
    Case("input-responses-not-object", tool("test_input_required_result_request_state", {},
                                            ASK_ALL, inputResponses="x", requestState=STATE),
         modern_headers("tools/call", "test_input_required_result_request_state"), 200,
         -32602, error_id=1),

    # == model toolsets (the demo library on /secure/mcp, as an editor) ========================
    Case("toolset-pk-bool", tool("book_retrieve", {"id": True}),
         {**modern_headers("tools/call", "book_retrieve"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("id")),
    Case("toolset-pk-string", tool("book_retrieve", {"id": "1"}),
         {**modern_headers("tools/call", "book_retrieve"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("id")),
    Case("toolset-pk-float", tool("book_retrieve", {"id": 1.5}),
         {**modern_headers("tools/call", "book_retrieve"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("id")),
    Case("toolset-pk-list", tool("book_delete", {"id": [1]}),
         {**modern_headers("tools/call", "book_delete"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("id")),
    Case("toolset-pk-past-64-bits", tool("book_retrieve", {"id": 2**70}),
         {**modern_headers("tools/call", "book_retrieve"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("Not found")),
    Case("toolset-cursor-garbage", tool("book_list", {"cursor": "12345678901234567890"}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("cursor")),
    Case("toolset-cursor-negative-offset", tool("book_list", {"cursor": cursor("m:-1")}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("cursor")),
    Case("toolset-cursor-huge-offset", tool("book_list", {"cursor": cursor("m:" + "9" * 20)}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("cursor")),
    Case("toolset-cursor-number", tool("book_list", {"cursor": 5}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("cursor")),
    Case("toolset-filters-not-object", tool("book_list", {"filters": "x"}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("filters")),
    Case("toolset-undeclared-ordering", tool("book_list", {"ordering": "summary"}),
         {**modern_headers("tools/call", "book_list"), "Authorization": EDITOR}, 200,
         path=SECURE, check=tool_error("ordering")),
    Case("archive-genre-without-permission", tool("archive_genre", {"genre": "poetry"}),
         {**modern_headers("tools/call", "archive_genre"), "Authorization": READER}, 200,
         -32602, error_id=1, path=SECURE),

    # == command tools (arguments are data, refused before any process starts) =================
    Case("command-settings-option", tool("patient_library_report", {"settings": "x"}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("settings")),
    Case("command-pythonpath-option", tool("patient_library_report", {"pythonpath": "/"}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("pythonpath")),
    Case("command-verbosity-option", tool("patient_library_report", {"verbosity": 3}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("verbosity")),
    Case("command-unknown-argument", tool("patient_library_report", {"nope": 1}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("nope")),
    Case("command-number-as-string", tool("patient_library_report", {"delay": "abc"}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("delay")),
    Case("command-choice-outside-choices", tool("patient_library_report", {"genre": "cooking"}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("genre")),
    Case("command-string-as-number", tool("patient_library_report", {"title": 123}),
         modern_headers("tools/call", "patient_library_report"), 200,
         check=tool_error("title")),

    # == resources and prompts =================================================================
    Case("resource-unknown-modern", call("resources/read", {"uri": "test://nope"}),
         modern_headers("resources/read", "test://nope"), 200, -32602, error_id=1),
    Case("resource-unknown-legacy", legacy("resources/read", {"uri": "test://nope"}),
         session_headers(SESSION), 200, -32002, error_id=1),
    Case("resource-uri-number", legacy("resources/read", {"uri": 5}), session_headers(SESSION),
         200, -32602, error_id=1),
    Case("subscribe-uri-over-max-uri-length",
         legacy("resources/subscribe", {"uri": "test://" + "x" * 64}),
         session_headers(LIMITED), 200, -32602, error_id=1, path=LIMITED_PATH),
    Case("read-uri-over-max-uri-length", call("resources/read", {"uri": "test://" + "x" * 64}),
         modern_headers("resources/read", "test://" + "x" * 64), 200, -32602, error_id=1,
         path=LIMITED_PATH),
    Case("read-uri-over-max-uri-length-legacy",
         legacy("resources/read", {"uri": "test://" + "x" * 64}), session_headers(LIMITED), 200,
         -32602, error_id=1, path=LIMITED_PATH),
    Case("read-uri-over-default-max-uri-length",
         call("resources/read", {"uri": "test://" + "x" * 2048}),
         modern_headers("resources/read", "test://" + "x" * 2048), 200, -32602, error_id=1),
    Case("subscribe-uri-number", legacy("resources/subscribe", {"uri": 5}),
         session_headers(LIMITED), 200, -32602, error_id=1, path=LIMITED_PATH),
    Case("subscribe-past-max-subscriptions",
         legacy("resources/subscribe", {"uri": "test://third"}),
         session_headers(LIMITED), 200, -32602, error_id=1, path=LIMITED_PATH,
         given="limited-two-subscriptions"),
    Case("subscribe-is-legacy-only", call("resources/subscribe", {"uri": "test://x"}),
         modern_headers("resources/subscribe"), 404, -32601, error_id=1),
    Case("prompt-unknown", call("prompts/get", {"name": "nope"}),
         modern_headers("prompts/get", "nope"), 200, -32602, error_id=1),
    Case("prompt-missing-arguments", call("prompts/get", {"name": "test_prompt_with_arguments"}),
         modern_headers("prompts/get", "test_prompt_with_arguments"), 200, -32602, error_id=1),
    Case("list-cursor-garbage", call("tools/list", {"cursor": "garbage"}),
         modern_headers("tools/list"), 200, -32602, error_id=1),
    Case("list-cursor-number", call("tools/list", {"cursor": 5}), modern_headers("tools/list"),
         200, -32602, error_id=1),

    # == batches (2025-03-26 sessions; `tight` allows 5 messages and 2000 bytes of answers) ====
    Case("batch-over-max-batch", [legacy("ping", request_id=n) for n in range(6)],
         session_headers(TIGHT_0326, "2025-03-26"), 400, -32600, error_id=NO_ID, path=TIGHT),
    Case("batch-over-max-batch-of-junk", [[]] * 6, session_headers(TIGHT_0326, "2025-03-26"),
         400, -32600, error_id=NO_ID, path=TIGHT),
    Case("batch-at-max-batch", [legacy("ping", request_id=n) for n in range(5)],
         session_headers(TIGHT_0326, "2025-03-26"), 200, path=TIGHT,
         check=batch(*((n, "result") for n in range(5)))),
    Case("batch-over-response-limit",
         [legacy_tool("echo", {"text": "x" * 600}, n) for n in range(5)],
         session_headers(TIGHT_0326, "2025-03-26"), 200, path=TIGHT,
         check=batch_cut_by_response_limit),
    Case("batch-initialize-among-others", [legacy("ping", request_id="p"), initialize("i")],
         session_headers(TIGHT_0326, "2025-03-26"), 400, -32600, error_id=NO_ID, path=TIGHT),
    Case("batch-nested", [[legacy("ping")], legacy("ping", request_id="p")],
         session_headers(SESSION_0326, "2025-03-26"), 200, check=nested_refused),
    Case("batch-of-notifications", [{"jsonrpc": "2.0", "method": "notifications/x"}],
         session_headers(SESSION_0326, "2025-03-26"), 202),
    Case("batch-of-responses", [{"jsonrpc": "2.0", "id": "nobody-asked", "result": {}}],
         session_headers(SESSION_0326, "2025-03-26"), 202),
    Case("batch-bad-item-then-ping", [{"jsonrpc": "1.0", "id": "a", "method": "ping"},
                                      legacy("ping", request_id="b")],
         session_headers(SESSION_0326, "2025-03-26"), 200, check=batch(("a", "error"),
                                                                        ("b", "result"))),
    Case("batch-in-2025-06-18-session", [legacy("ping")],
         session_headers(SESSION_0618, "2025-06-18"), 400, -32600, error_id=NO_ID),
    Case("batch-unknown-session", [legacy("ping")], {**JSON, "Mcp-Session-Id": "0" * 32}, 404,
         -32001, error_id=NO_ID),

    # == streams and HTTP methods ==============================================================
    Case("get-accept-json", None, {"Accept": "application/json"}, 406, -32600,
         error_id=NO_ID, http_method="GET"),
    Case("get-session-accept-json", None, {"Accept": "application/json",
                                           "Mcp-Session-Id": SESSION},
         406, -32600, error_id=NO_ID, http_method="GET"),
    Case("get-stateless-server", None, SSE, 405, -32600, error_id=NO_ID, http_method="GET",
         path=STATELESS, expect_headers={"allow": "POST"}),
    Case("delete-stateless-server", None, {}, 405, -32600, error_id=NO_ID,
         http_method="DELETE", path=STATELESS),
    Case("get-last-event-id-garbage", None, {**SSE, "Mcp-Session-Id": SESSION,
                                             "MCP-Protocol-Version": "2025-11-25",
                                             "Last-Event-ID": "garbage"},
         200, sse=True, http_method="GET"),
    Case("get-last-event-id-of-nobodys-stream", None, {
        **SSE, "Mcp-Session-Id": SESSION, "MCP-Protocol-Version": "2025-11-25",
        "Last-Event-ID": "0123456789abcdef0123456789abcdef-5"}, 200, sse=True,
         http_method="GET"),
    Case("head-method", None, JSON, 405, http_method="HEAD", expect_headers={"allow": "POST"}),
    Case("options-method", None, JSON, 405, -32600, error_id=NO_ID, http_method="OPTIONS"),
    Case("patch-method", call("tools/list"), modern_headers("tools/list"), 405, -32600,
         error_id=NO_ID, http_method="PATCH"),

    # == throttling (throttled-auth: 5 requests a minute per user) =============================
    Case("throttled-sixth-request", call("tools/list"),
         {**modern_headers("tools/list"), "Authorization": THROTTLED}, 429, -32000,
         error_id=NO_ID, path=THROTTLED_PATH, given="throttle-spent",
         expect_headers={"retry-after": ""}),
]


# -- live values behind the placeholders ------------------------------------------------------
class World:
    """Sessions, tokens and request states made on first use, for one row."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.values: dict[str, str] = {}
        self.clients: list[RawClient] = []

    def client(self, path: str, authorization: str | None = None) -> RawClient:
        client = RawClient(self.base_url + path)
        if authorization is not None:
            client.http.headers["Authorization"] = authorization
        self.clients.append(client)
        return client

    def session(self, path: str, version: str, authorization: str | None = None) -> str:
        session_id = self.client(path, authorization).initialize(version).id
        assert session_id is not None
        return session_id

    def bearer(self, role: str = "nobody", **options: Any) -> str:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        from mcp_django.models import McpToken

        user = get_user_model().objects.create_user(f"bad-{role}-{len(self.values)}")
        user.user_permissions.set(Permission.objects.filter(
            content_type__app_label="library", codename__in=ROLES[role]))
        return "Bearer " + McpToken.issue(user, "bad input", **options)[1]

    def revoked(self) -> str:
        from django.utils import timezone

        from mcp_django.models import McpToken

        token = self.bearer("revoked")
        McpToken.objects.filter(user__username__startswith="bad-revoked-").update(
            revoked_at=timezone.now())
        return token

    def expired(self) -> str:
        from django.utils import timezone

        return self.bearer(expires_at=timezone.now() - timedelta(minutes=1))

    def deleted(self) -> str:
        client = self.client(CONFORMANCE)
        session = client.initialize("2025-11-25")
        assert session.delete().status_code == 200
        assert session.id is not None
        return session.id

    def request_state(self) -> str:
        answer = self.client(CONFORMANCE).modern(
            "tools/call", {"name": "test_input_required_result_request_state", "arguments": {}},
            capabilities=ASK_ALL)
        assert answer.result["resultType"] == "input_required", answer.result
        return str(answer.result["requestState"])

    def task_of_another_session(self) -> str:
        session = self.client(CONFORMANCE).initialize("2025-11-25")
        created = session.request("tools/call", {"name": "slow_compute",
                                                 "arguments": {"seconds": 0.1}, "task": {}})
        return str(created.result["task"]["taskId"])

    def tampered_state(self) -> str:
        state = self.get(STATE)
        return state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")

    def get(self, placeholder: str) -> str:
        if placeholder not in self.values:
            self.values[placeholder] = PLACEHOLDERS[placeholder](self)
        return self.values[placeholder]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value in PLACEHOLDERS:
            return self.get(value)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def close(self) -> None:
        for client in self.clients:
            client.close()


PLACEHOLDERS: dict[str, Callable[[World], str]] = {
    SESSION: lambda w: w.session(CONFORMANCE, "2025-11-25"),
    SESSION_0326: lambda w: w.session(CONFORMANCE, "2025-03-26"),
    SESSION_0618: lambda w: w.session(CONFORMANCE, "2025-06-18"),
    TIGHT_0326: lambda w: w.session(TIGHT, "2025-03-26"),
    TIGHT_1125: lambda w: w.session(TIGHT, "2025-11-25"),
    OTHER_TASK: World.task_of_another_session,
    LIMITED: lambda w: w.session(LIMITED_PATH, "2025-11-25"),
    DELETED: World.deleted,
    ALICE: lambda w: w.bearer(),
    BOB: lambda w: w.bearer(),
    EDITOR: lambda w: w.bearer("editor"),
    READER: lambda w: w.bearer("reader"),
    REVOKED: World.revoked,
    EXPIRED: World.expired,
    THROTTLED: lambda w: w.bearer(),
    ALICE_SESSION: lambda w: w.session(SECURE, "2025-11-25", w.get(ALICE)),
    STATE: World.request_state,
    TAMPERED_STATE: World.tampered_state,
    SELF_ORIGIN: lambda w: w.base_url,
}


def limited_full(world: World) -> None:
    """MAX_SESSIONS (3) live sessions on `limited`."""
    for _ in range(3):
        world.session(LIMITED_PATH, "2025-11-25")


def limited_two_subscriptions(world: World) -> None:
    client = world.client(LIMITED_PATH)
    for uri in ("test://a", "test://b"):
        answer = client.send(legacy("resources/subscribe", {"uri": uri}),
                             session_headers(world.get(LIMITED)))
        assert answer.final.get("result") == {}, answer.final


def throttle_spent(world: World) -> None:
    """The five requests a minute of throttled-auth, spent by the row's user."""
    client = world.client(THROTTLED_PATH)
    for _ in range(5):
        answer = client.send(call("tools/list"), {**modern_headers("tools/list"),
                                                  "Authorization": world.get(THROTTLED)})
        assert answer.status == 200, answer.response.text


GIVEN: dict[str, Callable[[World], None]] = {
    "limited-full": limited_full,
    "limited-two-subscriptions": limited_two_subscriptions,
    "throttle-spent": throttle_spent,
}


@pytest.fixture
def world(live_mcp_server) -> Iterator[World]:
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)  # the library's books, for the toolset rows
    made = World(live_mcp_server.url)
    yield made
    made.close()


# -- sending ----------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def encode(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    return (body if isinstance(body, str) else json.dumps(body)).encode()


def send_http(url: str, case: Case, headers: dict[str, Any], content: bytes | None) -> Reply:
    """Through httpx; an event stream is closed once its headers arrived."""
    with httpx.Client(timeout=30) as http, \
            http.stream(case.http_method, url, content=content, headers=headers) as response:
        kind = response.headers.get("content-type", "")
        body = b"" if kind.startswith("text/event-stream") else response.read()
        return Reply(response.status_code, dict(response.headers), body)


def send_wire(url: str, case: Case, headers: dict[str, Any], content: bytes | None) -> Reply:
    """On a raw socket: exactly the case's headers (plus Host and Content-Length)."""
    parts = urlsplit(url)
    content = content or b""
    length = case.declared_length if case.declared_length is not None else len(content)
    lines = [f"{case.http_method} {parts.path} HTTP/1.1".encode(),
             f"Host: {parts.hostname}:{parts.port}".encode(),
             f"Content-Length: {length}".encode(), b"Connection: close"]
    lines += [name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())
              for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + content)
        return read_reply(sock)


def read_reply(sock: socket.socket) -> Reply:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in
               (line.partition(":") for line in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response body"
        body += chunk
    return Reply(int(status_line.split()[1]), headers, body[:length])


def check_reply(case: Case, reply: Reply) -> None:
    assert reply.status == case.status, (reply.status, reply.body[:500])
    for name, fragment in case.expect_headers.items():
        assert fragment in reply.headers.get(name, "\0"), (name, reply.headers)
    kind = reply.headers.get("content-type", "")
    if case.sse:
        assert kind.startswith("text/event-stream"), reply.headers
        return
    if case.code is None and case.check is None:
        assert reply.body == b"", reply.body[:500]
        return
    assert kind.startswith("application/json"), (kind, reply.body[:500])
    body = json.loads(reply.body)
    if case.check is not None:
        case.check(body)
    if case.code is None:
        return
    assert body.get("jsonrpc") == "2.0" and "result" not in body, body
    assert body["error"]["code"] == case.code, body
    assert isinstance(body["error"]["message"], str), body
    if case.error_id is NO_ID:
        assert "id" not in body, body
    elif case.error_id != UNSET:
        assert body.get("id") == case.error_id, body


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_a_precise_answer(world, case):
    headers = world.resolve(case.headers)
    content = encode(world.resolve(case.body))
    if case.given is not None:
        GIVEN[case.given](world)
    send = send_wire if case.wire else send_http
    check_reply(case, send(world.base_url + case.path, case, headers, content))


def test_the_table_covers_every_class():
    """At least 120 rows with test_edge_errors.py's table, and no duplicate ids."""
    from tests.e2e.test_edge_errors import CASES as EDGE_CASES

    assert len({case.id for case in CASES}) == len(CASES)
    assert len(CASES) + len(EDGE_CASES) >= 120


def test_oversize_body_is_413(raw):
    response = raw.http.post(raw.url, content=b"x" * (MAX_BODY + 1),
                             headers=modern_headers("tools/list"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32600 and "id" not in response.json()


def test_server_survives_the_table(raw):
    """After all of the above the endpoint still answers."""
    assert raw.modern("tools/list").status == 200
