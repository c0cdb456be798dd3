"""Property-based fuzzing (hypothesis): the JSON-RPC parser, the header rules and the endpoint."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from demo_project.conformance import conformance
from mcp_django.core.errors import HeaderMismatch, InvalidMeta, ParseError, UnsupportedVersion
from mcp_django.core.headers import (
    check_method_headers,
    check_param_headers,
    decode_header_value,
    header_properties,
)
from mcp_django.core.jsonrpc import (
    InvalidMessage,
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    load_json,
    parse_message,
)
from mcp_django.core.versions import LEGACY_VERSIONS, MODERN_VERSIONS, Era, classify
from mcp_django.transport.http import IncomingRequest
from mcp_django.transport.responses import Outgoing

MODERN = MODERN_VERSIONS[0]
ACCEPT_BOTH = "application/json, text/event-stream"
# no shrinking: a failure is reported as found, which keeps a failing run as short as a green one
FUZZ = settings(database=None, deadline=None, derandomize=False,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
# examples per property; their sum (2,700) is what one `make test` run tries
PARSER_EXAMPLES, JSON_EXAMPLES, ROUND_TRIP_EXAMPLES = 500, 300, 200
HEADER_VALUE_EXAMPLES, METHOD_HEADER_EXAMPLES, PARAM_HEADER_EXAMPLES = 300, 200, 100
CLASSIFY_EXAMPLES, RAW_BODY_EXAMPLES, REQUEST_EXAMPLES, BATCH_EXAMPLES = 300, 200, 500, 100

# -- the error table: what each HTTP status may carry (endpoint.py, http.py, core/errors.py) ----
ERROR_CODES: dict[int, frozenset[int]] = {
    200: frozenset({-32602, -32603, -32601, -32002, -32000}),  # in-band: legacy, or modern
    #                                                          InvalidParams / internal / limits
    400: frozenset({-32700, -32600, -32602, -32020, -32021, -32022}),  # -32602: InvalidMeta
    401: frozenset({-32600}), 403: frozenset({-32600}), 405: frozenset({-32600}),
    406: frozenset({-32600}), 408: frozenset({-32600}), 413: frozenset({-32600}),
    415: frozenset({-32600}), 421: frozenset({-32600}),
    404: frozenset({-32601, -32001}),  # modern unknown method; unknown legacy session
    429: frozenset({-32000}),  # throttled
    503: frozenset({-32000, -32603}),  # MAX_SESSIONS; shared state unreachable
}
BATCH_ITEM_CODES = ERROR_CODES[200] | {-32600}  # a batch item that is not a message
EMPTY_STATUSES = frozenset({202, 204})
STREAM_READ_SECONDS = 0.3


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)

# -- strategies -------------------------------------------------------------------------------
TEXT = st.text(max_size=12)
HEADER_TEXT = st.text(st.characters(max_codepoint=255, exclude_categories=("Cs",)), max_size=24)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                 st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON_VALUES = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12)
JSON_OBJECTS = st.dictionaries(TEXT, JSON_VALUES, max_size=5)
IDS = st.one_of(st.integers(-(2**70), 2**70), TEXT, st.none(), st.booleans(), st.floats(),
                st.lists(LEAF, max_size=2), st.just({"a": 1}))

TABLE = conformance.endpoint.dispatcher.methods
METHOD_NAMES = sorted({*TABLE.names(Era.LEGACY), *TABLE.names(Era.MODERN)})
METHODS = st.one_of(st.sampled_from([*METHOD_NAMES, "notifications/initialized",
                                     "notifications/cancelled", "notifications/progress"]),
                    st.sampled_from(["", "foo/bar", "TOOLS/LIST", "rpc.discover"]), TEXT)
# tools that answer at once: no sleeps, questions, processes or registry changes
SAFE_TOOLS = ["echo", "greet", "test_simple_text", "test_error_handling", "test_x_mcp_header",
              "json_schema_2020_12_tool", "test_missing_capability", "test_image_content",
              "test_slow_status", "no_such_tool"]
SAFE_PROMPTS = ["test_simple_prompt", "test_prompt_with_arguments", "no_such_prompt"]
URIS = st.one_of(st.sampled_from(["test://static-text", "test://template/7/data", "test://nope",
                                  "django://library.book/1"]), TEXT)
MODERN_META = st.fixed_dictionaries(
    {"io.modelcontextprotocol/protocolVersion": st.sampled_from([MODERN, MODERN, "2025-11-25",
                                                                 "1900-01-01"]) | LEAF},
    optional={"io.modelcontextprotocol/clientCapabilities": st.one_of(
        st.just({}), st.just({"extensions": {"io.modelcontextprotocol/tasks": {}}}),
        st.just({"elicitation": {}}), JSON_VALUES),
              "io.modelcontextprotocol/clientInfo": JSON_VALUES,
              "io.modelcontextprotocol/logLevel": st.sampled_from(["debug", "info", "loud"])})
PARAMS = st.fixed_dictionaries({}, optional={
    "name": st.sampled_from(SAFE_TOOLS + SAFE_PROMPTS) | LEAF,
    "arguments": JSON_OBJECTS | JSON_VALUES, "uri": URIS | LEAF, "cursor": TEXT | LEAF,
    "taskId": TEXT | LEAF, "level": st.sampled_from(["debug", "info", "emergency", "loud"]),
    "protocolVersion": st.sampled_from([*LEGACY_VERSIONS, MODERN]) | LEAF,
    "capabilities": JSON_VALUES, "clientInfo": JSON_VALUES, "requestState": TEXT | LEAF,
    "inputResponses": JSON_VALUES, "task": JSON_VALUES, "notifications": JSON_VALUES,
    "ref": JSON_VALUES, "argument": JSON_VALUES, "requestId": IDS, "progressToken": IDS,
})
SESSION_SLOTS = st.sampled_from(["none", "none", "2025-03-26", "2025-11-25", "2025-06-18",
                                 "unknown"])
HEADER_MUTATIONS = st.lists(st.tuples(
    st.sampled_from(["accept", "content-type", "mcp-protocol-version", "mcp-method", "mcp-name",
                     "mcp-param-region", "origin", "host", "authorization", "last-event-id",
                     "mcp-session-id"]),
    st.one_of(st.none(), HEADER_TEXT, st.sampled_from([
        "application/json", "text/event-stream", "*/*", "text/plain", MODERN, "2025-03-26",
        "http://evil.example", "Bearer mcp_nope_nope", "evil.example", "=?base64?ZWNobw==?=",
        "tools/call", "echo", "null"]))), max_size=3)


@st.composite
def jsonrpc_messages(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON-RPC-shaped object: a real method and mostly plausible params, sometimes broken."""
    message: dict[str, Any] = {"jsonrpc": draw(st.sampled_from(["2.0"] * 6 + ["1.0", 2]))}
    method = draw(METHODS)
    params = draw(PARAMS)
    if draw(st.booleans()):
        params["_meta"] = draw(MODERN_META)
    shape = draw(st.sampled_from(["request"] * 6 + ["notification", "response", "junk"]))
    if shape in ("request", "notification"):
        message["method"] = method
        message["params"] = params if draw(st.integers(0, 9)) else draw(JSON_VALUES)
    if shape in ("request", "response"):
        message["id"] = draw(st.integers(0, 2**70) | TEXT) if draw(st.integers(0, 3)) \
            else draw(IDS)
    if shape == "response":
        message[draw(st.sampled_from(["result", "error"]))] = draw(JSON_VALUES)
    if shape == "junk":
        message.update(draw(JSON_OBJECTS))
    return message


@dataclass
class Sent:
    """One fuzzed HTTP request, before the session slot is filled in."""

    method: str
    headers: dict[str, str]
    body: bytes
    session: str
    modern: bool


def headers_for(message: Any, mutations: list[tuple[str, str | None]]) -> tuple[dict[str, str],
                                                                               bool]:
    """Headers a careful client would send for `message`, then mutated; and whether the
    message is modern (its `_meta` names a protocol version)."""
    headers = {"host": "localhost", "content-type": "application/json", "accept": ACCEPT_BOTH}
    params = message.get("params") if isinstance(message, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    modern = isinstance(meta, dict) and "io.modelcontextprotocol/protocolVersion" in meta
    if modern:
        version = meta["io.modelcontextprotocol/protocolVersion"]
        headers["mcp-protocol-version"] = version if isinstance(version, str) else MODERN
        method = message.get("method")
        headers["mcp-method"] = method if isinstance(method, str) and method.isprintable() \
            and method.isascii() else "x"
        spec = TABLE.get(Era.MODERN, method) if isinstance(method, str) else None
        named = params.get(spec.name_param) if spec is not None and spec.name_param else None
        if isinstance(named, str):
            headers["mcp-name"] = "=?base64?" + base64.b64encode(named.encode()).decode() + "?="
        region = (params.get("arguments") or {}).get("region") \
            if isinstance(params.get("arguments"), dict) else None
        if region is not None:
            headers["mcp-param-region"] = str(region)
    for name, value in mutations:
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers, modern


REQUESTS = st.builds(
    lambda message, mutations, session, http_method: _sent(http_method, message, mutations,
                                                           session),
    jsonrpc_messages(), HEADER_MUTATIONS, SESSION_SLOTS,
    st.sampled_from(["POST"] * 12 + ["GET", "DELETE"]))
BATCHES = st.builds(
    lambda items, mutations, session: _sent("POST", items, mutations, session),
    st.lists(jsonrpc_messages() | JSON_VALUES, max_size=8), HEADER_MUTATIONS,
    st.sampled_from(["2025-03-26", "2025-03-26", "2025-11-25", "none", "unknown"]))
RAW_BODIES = st.builds(
    lambda body, mutations, session, http_method: Sent(
        http_method, headers_for({}, mutations)[0], body, session, False),
    st.binary(max_size=300) | JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    HEADER_MUTATIONS, SESSION_SLOTS, st.sampled_from(["POST"] * 8 + ["GET", "DELETE", "PUT"]))


def _sent(http_method: str, message: Any, mutations: list[tuple[str, str | None]],
          session: str) -> Sent:
    headers, modern = headers_for(message if isinstance(message, dict) else {}, mutations)
    return Sent(http_method, headers, json.dumps(message).encode(), session, modern)


# -- the in-process endpoint ------------------------------------------------------------------
class Caller:
    """Runs the conformance endpoint on one event loop and keeps a few live sessions."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.endpoint = conformance.endpoint
        self.sessions = {version: self._initialize(version)
                         for version in ("2025-03-26", "2025-06-18", "2025-11-25")}

    def _initialize(self, version: str) -> str:
        body = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"}}}).encode()
        outgoing = self.handle(IncomingRequest("POST", {
            "host": "localhost", "content-type": "application/json", "accept": ACCEPT_BOTH},
            body, {"path": "/conformance/mcp"}))
        session = dict(outgoing.headers).get("mcp-session-id")
        assert outgoing.status == 200 and session, outgoing.body
        return session

    def handle(self, request: IncomingRequest) -> Outgoing:
        return self.loop.run_until_complete(self.endpoint.handle(request))

    def send(self, sent: Sent) -> tuple[Outgoing, list[bytes]]:
        headers = dict(sent.headers)
        if sent.session == "unknown":
            headers["mcp-session-id"] = "0" * 32
        elif sent.session in self.sessions:
            headers.setdefault("mcp-session-id", self.sessions[sent.session])
        request = IncomingRequest(sent.method, headers, sent.body,
                                  {"path": "/conformance/mcp", "client": ("127.0.0.1", 1)})
        outgoing = self.handle(request)
        chunks = self.loop.run_until_complete(drain(outgoing)) if outgoing.stream else []
        return outgoing, chunks

    def close(self) -> None:
        """Cancel what the runtime left running on this loop (it restarts per loop)."""
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        if pending:  # gather() of nothing would make a future on another loop
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


async def drain(outgoing: Outgoing) -> list[bytes]:
    """An event stream's chunks until its response or a pause, then close it."""
    stream, chunks = outgoing.stream, []
    assert stream is not None
    try:
        while len(chunks) < 50:
            try:
                chunk = await asyncio.wait_for(anext(stream), STREAM_READ_SECONDS)
            except (StopAsyncIteration, TimeoutError):
                break
            chunks.append(chunk)
            if b'"result"' in chunk or b'"error"' in chunk:
                break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return chunks


@pytest.fixture
def caller() -> Iterator[Caller]:
    made = Caller()
    yield made
    made.close()


# -- what every answer must look like ---------------------------------------------------------
def check_message(message: Any, status: int, modern: bool, batch: bool = False) -> None:
    assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", message
    if "id" in message:
        request_id = message["id"]
        assert isinstance(request_id, (str, int)) and not isinstance(request_id, bool), message
    if "method" in message:  # a notification or request on a stream
        assert isinstance(message["method"], str), message
        return
    assert ("result" in message) != ("error" in message), message
    if "result" in message:
        assert status == 200 and isinstance(message["result"], dict), message
        return
    error = message["error"]
    assert isinstance(error, dict) and isinstance(error.get("message"), str), message
    code = error.get("code")
    assert code in (BATCH_ITEM_CODES if batch else ERROR_CODES.get(status, ())), (status, message)
    if code == -32601 and not batch:  # unknown method: 404 modern, 200 legacy
        assert (status == 404) == modern, (status, modern, message)


def check_outgoing(outgoing: Any, chunks: list[bytes], sent: Sent) -> None:
    assert isinstance(outgoing, Outgoing), outgoing
    assert isinstance(outgoing.status, int) and isinstance(outgoing.body, bytes), outgoing
    assert all(isinstance(name, str) and isinstance(value, str)
               for name, value in outgoing.headers), outgoing.headers
    headers = dict(outgoing.headers)
    if outgoing.stream is not None:
        assert outgoing.status == 200 and headers["content-type"] == "text/event-stream"
        for message in sse_messages(chunks):
            check_message(message, 200, sent.modern)
        return
    assert headers.get("content-length") == str(len(outgoing.body)), outgoing
    if outgoing.status in EMPTY_STATUSES or (sent.method, outgoing.status) == ("DELETE", 200):
        assert outgoing.body == b"", outgoing
        return
    assert outgoing.status in ERROR_CODES, (outgoing.status, outgoing.body[:300])
    assert headers.get("content-type") == "application/json", outgoing
    body = json.loads(outgoing.body)
    if isinstance(body, list):
        assert outgoing.status == 200 and body, body
        for item in body:
            check_message(item, 200, False, batch=True)
    else:
        check_message(body, outgoing.status, sent.modern)
        if outgoing.status != 200:
            assert "error" in body, body


def sse_messages(chunks: list[bytes]) -> list[Any]:
    messages = []
    for event in b"".join(chunks).decode().replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in event.split("\n")
                         if line.startswith("data:"))
        if data:
            messages.append(json.loads(data))
    return messages


# -- the parser -------------------------------------------------------------------------------
@fuzz(PARSER_EXAMPLES)
@given(st.one_of(jsonrpc_messages(), JSON_VALUES))
def test_parse_message_returns_a_message_or_invalid_request(value: Any) -> None:
    try:
        message = parse_message(value)
    except InvalidMessage as exc:
        assert exc.code == -32600 and exc.http_status == 400
        assert exc.request_id is None or (isinstance(exc.request_id, (str, int))
                                          and not isinstance(exc.request_id, bool))
        return
    assert isinstance(value, dict) and value["jsonrpc"] == "2.0"
    if isinstance(message, (JsonRpcRequest, JsonRpcResponse)):
        assert type(message.id) in (str, int) and message.id == value["id"]
    if isinstance(message, (JsonRpcRequest, JsonRpcNotification)):
        assert isinstance(message.method, str) and message.method
        assert isinstance(message.params, dict)
    if isinstance(message, JsonRpcNotification):
        assert "id" not in value


@fuzz(JSON_EXAMPLES)
@given(st.binary(max_size=200) | st.text(max_size=60).map(str.encode))
def test_load_json_decodes_or_raises_parse_error(body: bytes) -> None:
    try:
        load_json(body)
    except ParseError as exc:
        assert exc.code == -32700 and exc.http_status == 400


@fuzz(ROUND_TRIP_EXAMPLES)
@given(JSON_VALUES)
def test_load_json_reads_back_what_json_dumps_wrote(value: Any) -> None:
    assert load_json(json.dumps(value).encode()) == value


# -- the header rules -------------------------------------------------------------------------
@fuzz(HEADER_VALUE_EXAMPLES)
@given(HEADER_TEXT, st.text(max_size=30))
def test_header_values_decode_or_mismatch(raw: str, text: str) -> None:
    try:
        assert isinstance(decode_header_value(raw), str)
    except HeaderMismatch as exc:
        assert exc.code == -32020 and exc.http_status == 400
    encoded = "=?base64?" + base64.b64encode(text.encode()).decode() + "?="
    assert decode_header_value(f" {encoded}\t") == text


@fuzz(METHOD_HEADER_EXAMPLES)
@given(METHODS, PARAMS, st.dictionaries(st.sampled_from(["mcp-method", "mcp-name"]),
                                        HEADER_TEXT, max_size=2),
       st.sampled_from([None, "name", "uri", "taskId"]))
def test_method_headers_pass_when_they_mirror_the_body(method: str, params: dict[str, Any],
                                                       headers: dict[str, str],
                                                       name_param: str | None) -> None:
    try:
        check_method_headers(method, params, headers, name_param)
    except HeaderMismatch as exc:
        assert exc.code == -32020
    named = params.get(name_param) if name_param else None
    if not method.isascii() or not method.isprintable() or \
            (name_param is not None and not isinstance(named, str)):
        return
    mirrored = {"mcp-method": method}
    if isinstance(named, str):
        mirrored["mcp-name"] = "=?base64?" + base64.b64encode(named.encode()).decode() + "?="
    if method.strip(" \t") == method:
        check_method_headers(method, params, mirrored, name_param)


REGION = header_properties(conformance.registry.tools["test_x_mcp_header"].signature
                           .input_schema)


@fuzz(PARAM_HEADER_EXAMPLES)
@given(JSON_VALUES, st.none() | HEADER_TEXT, st.integers(-(2**60), 2**60) | TEXT | st.booleans())
def test_param_headers_pass_when_they_mirror_the_arguments(arguments: Any, header: str | None,
                                                           region: Any) -> None:
    headers = {} if header is None else {"mcp-param-region": header}
    try:
        check_param_headers(REGION, arguments, headers)
    except HeaderMismatch as exc:
        assert exc.code == -32020
    mirror = ("true" if region else "false") if isinstance(region, bool) else str(region)
    sentinel = mirror.startswith("=?base64?") and mirror.endswith("?=")
    if mirror.isascii() and mirror.isprintable() and mirror.strip(" \t") == mirror \
            and not sentinel:
        check_param_headers(REGION, {"region": region}, {"mcp-param-region": mirror})


@fuzz(CLASSIFY_EXAMPLES)
@given(st.none() | st.sampled_from([*MODERN_VERSIONS, *LEGACY_VERSIONS, "1900-01-01"])
       | HEADER_TEXT, PARAMS | st.builds(lambda meta: {"_meta": meta}, MODERN_META | JSON_VALUES))
def test_classify_picks_an_era_or_raises_a_modern_error(header: str | None,
                                                        params: dict[str, Any]) -> None:
    try:
        era = classify(header, params)
    except (HeaderMismatch, InvalidMeta, UnsupportedVersion) as exc:
        assert exc.http_status == 400 and exc.code in (-32020, -32602, -32022)
        return
    meta = params.get("_meta")
    versioned = isinstance(meta, dict) and "io.modelcontextprotocol/protocolVersion" in meta
    assert era is (Era.MODERN if versioned else Era.LEGACY)
    if versioned:
        assert header == meta["io.modelcontextprotocol/protocolVersion"] in MODERN_VERSIONS
    else:
        assert header is None or header in LEGACY_VERSIONS


# -- the endpoint -----------------------------------------------------------------------------
DB = pytest.mark.django_db(transaction=True)  # initialize writes a session index row


@DB
@fuzz(RAW_BODY_EXAMPLES)
@given(RAW_BODIES)
def test_the_endpoint_answers_any_bytes(caller: Caller, sent: Sent) -> None:
    outgoing, chunks = caller.send(sent)
    check_outgoing(outgoing, chunks, sent)
    if sent.method == "PUT":
        assert outgoing.status in (405, 403, 421, 401), outgoing.status


@DB
@fuzz(REQUEST_EXAMPLES)
@given(REQUESTS)
def test_the_endpoint_answers_any_jsonrpc_request(caller: Caller, sent: Sent) -> None:
    outgoing, chunks = caller.send(sent)
    check_outgoing(outgoing, chunks, sent)


@DB
@fuzz(BATCH_EXAMPLES)
@given(BATCHES)
def test_the_endpoint_answers_any_batch(caller: Caller, sent: Sent) -> None:
    outgoing, chunks = caller.send(sent)
    check_outgoing(outgoing, chunks, sent)


def test_the_examples_add_up_to_at_least_2000() -> None:
    assert PARSER_EXAMPLES + JSON_EXAMPLES + ROUND_TRIP_EXAMPLES + HEADER_VALUE_EXAMPLES \
        + METHOD_HEADER_EXAMPLES + PARAM_HEADER_EXAMPLES + CLASSIFY_EXAMPLES \
        + RAW_BODY_EXAMPLES + REQUEST_EXAMPLES + BATCH_EXAMPLES >= 2000


@DB
@pytest.mark.parametrize("session_id", [" ", "a b", "\x01", "\u00fc" * 8, "x" * 300,
                                        "0" * 31 + "\n"],
                         ids=["space", "inner-space", "control", "latin-1", "300-chars",
                              "newline"])
def test_a_malformed_session_id_is_an_unknown_session(caller: Caller, session_id: str) -> None:
    """Found by the fuzzer: the id a client sends must not reach the cache as a key (spaces,
    control characters and keys past 250 characters break memcached and warn elsewhere)."""
    sent = Sent("POST", {**headers_for({}, [])[0], "mcp-session-id": session_id},
                json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode(), "none",
                False)
    outgoing, _ = caller.send(sent)
    assert outgoing.status == 404, outgoing.body
    assert json.loads(outgoing.body) == {"jsonrpc": "2.0", "error": {
        "code": -32001, "message": "Session not found"}}
