"""JSON-RPC framing: parse, malformed shapes, id recovery, JSON decoding and serialisation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mcp_django.core.errors import (
    INVALID_REQUEST,
    PARSE_ERROR,
    InvalidParams,
    InvalidRequest,
    ParseError,
    ResourceNotFound,
)
from mcp_django.core.jsonrpc import (
    InvalidMessage,
    JsonRpcNotification,
    JsonRpcRequest,
    JsonRpcResponse,
    dump,
    error_message,
    load_json,
    notification_message,
    parse_message,
    request_message,
    result_message,
)

# -- valid messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            JsonRpcRequest(1, "tools/list", {}),
            id="request-int-id-no-params",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": "abc", "method": "tools/call", "params": {"name": "x"}},
            JsonRpcRequest("abc", "tools/call", {"name": "x"}),
            id="request-str-id-params",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": 0, "method": "ping"},
            JsonRpcRequest(0, "ping", {}),
            id="request-zero-id",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": -7, "method": "ping"},
            JsonRpcRequest(-7, "ping", {}),
            id="request-negative-id",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": "", "method": "ping"},
            JsonRpcRequest("", "ping", {}),
            id="request-empty-string-id",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": 2, "method": "ping", "params": None},
            JsonRpcRequest(2, "ping", {}),
            id="request-null-params-become-empty",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            JsonRpcNotification("notifications/initialized", {}),
            id="notification-no-params",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "method": "notifications/cancelled",
             "params": {"requestId": 3, "reason": "x"}},
            JsonRpcNotification("notifications/cancelled", {"requestId": 3, "reason": "x"}),
            id="notification-params",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": 5, "result": {"roots": []}},
            JsonRpcResponse(5, {"roots": []}, None),
            id="response-result",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": "s-1", "result": None},
            JsonRpcResponse("s-1", None, None),
            id="response-null-result",
        ),
        pytest.param(
            {"jsonrpc": "2.0", "id": 6, "error": {"code": -1, "message": "no"}},
            JsonRpcResponse(6, None, {"code": -1, "message": "no"}),
            id="response-error",
        ),
    ],
)
def test_parse_message_returns_typed_message_for_valid_input(obj: Any, expected: Any) -> None:
    message = parse_message(obj)
    assert type(message) is type(expected)
    assert message == expected


def test_parse_message_keeps_large_integer_id_exact() -> None:
    big = 2**63 + 1
    message = parse_message({"jsonrpc": "2.0", "id": big, "method": "ping"})
    assert isinstance(message, JsonRpcRequest)
    assert message.id == big


# -- malformed messages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "recovered_id", "fragment"),
    [
        pytest.param([], None, "must be an object", id="array"),
        pytest.param("ping", None, "must be an object", id="string"),
        pytest.param(42, None, "must be an object", id="number"),
        pytest.param(None, None, "must be an object", id="null"),
        pytest.param(True, None, "must be an object", id="bool"),
        pytest.param({"id": 1, "method": "ping"}, 1, '"jsonrpc"', id="jsonrpc-missing"),
        pytest.param({"jsonrpc": "1.0", "id": 1, "method": "ping"}, 1, '"jsonrpc"',
                     id="jsonrpc-1.0"),
        pytest.param({"jsonrpc": 2.0, "id": "a", "method": "ping"}, "a", '"jsonrpc"',
                     id="jsonrpc-number"),
        pytest.param({"jsonrpc": "2.0", "id": True, "method": "ping"}, None, '"id"',
                     id="bool-id"),
        pytest.param({"jsonrpc": "2.0", "id": False, "method": "ping"}, None, '"id"',
                     id="false-id"),
        pytest.param({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, None, '"id"',
                     id="float-id"),
        pytest.param({"jsonrpc": "2.0", "id": None, "method": "ping"}, None, '"id"',
                     id="null-id"),
        pytest.param({"jsonrpc": "2.0", "id": [1], "method": "ping"}, None, '"id"',
                     id="array-id"),
        pytest.param({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}, None, '"id"',
                     id="object-id"),
        pytest.param({"jsonrpc": "2.0", "id": 7, "method": 5}, 7, '"method"',
                     id="method-number"),
        pytest.param({"jsonrpc": "2.0", "id": 7, "method": None}, 7, '"method"',
                     id="method-null"),
        pytest.param({"jsonrpc": "2.0", "id": 7, "method": ""}, 7, '"method"',
                     id="method-empty"),
        pytest.param({"jsonrpc": "2.0", "method": ["ping"]}, None, '"method"',
                     id="notification-method-array"),
        pytest.param({"jsonrpc": "2.0", "id": "x", "method": "ping", "params": [1, 2]}, "x",
                     '"params"', id="params-array"),
        pytest.param({"jsonrpc": "2.0", "id": "x", "method": "ping", "params": "p"}, "x",
                     '"params"', id="params-string"),
        pytest.param({"jsonrpc": "2.0", "id": "x", "method": "ping", "params": 3}, "x",
                     '"params"', id="params-number"),
        pytest.param({"jsonrpc": "2.0", "method": "n", "params": [1]}, None, '"params"',
                     id="notification-params-array"),
        pytest.param({"jsonrpc": "2.0", "result": {}}, None, "response needs",
                     id="response-without-id"),
        pytest.param({"jsonrpc": "2.0", "id": None, "result": {}}, None, "response needs",
                     id="response-null-id"),
        pytest.param({"jsonrpc": "2.0", "id": 1.0, "result": {}}, None, "response needs",
                     id="response-float-id"),
        pytest.param({"jsonrpc": "2.0", "error": {"code": 1, "message": "m"}}, None,
                     "response needs", id="error-response-without-id"),
        pytest.param({"jsonrpc": "2.0", "id": 9, "error": "boom"}, 9, '"error"',
                     id="error-string"),
        pytest.param({"jsonrpc": "2.0", "id": 9, "error": [1]}, 9, '"error"',
                     id="error-array"),
        pytest.param({"jsonrpc": "2.0", "id": 9}, 9, "no method", id="no-method-result-error"),
        pytest.param({"jsonrpc": "2.0"}, None, "no method", id="only-jsonrpc"),
    ],
)
def test_parse_message_rejects_malformed_shape(
    obj: Any, recovered_id: Any, fragment: str
) -> None:
    with pytest.raises(InvalidMessage) as info:
        parse_message(obj)
    assert info.value.request_id == recovered_id
    assert fragment in info.value.message
    assert info.value.code == INVALID_REQUEST


def test_invalid_message_is_an_invalid_request_with_http_400() -> None:
    """V-18/V-21: malformed messages are -32600, sent with HTTP 400."""
    exc = InvalidMessage("bad", "id-1")
    assert isinstance(exc, InvalidRequest)
    assert exc.http_status == 400
    assert exc.to_error() == {"code": -32600, "message": "bad"}


def test_parse_message_rejects_response_with_result_and_error() -> None:
    with pytest.raises(InvalidMessage):
        parse_message({"jsonrpc": "2.0", "id": 1, "result": {}, "error": {"code": 1,
                                                                          "message": "m"}})


# -- load_json ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{", id="truncated"),
        pytest.param(b"{'a': 1}", id="single-quotes"),
        pytest.param(b"[1,]", id="trailing-comma"),
        pytest.param(b'{"a": 1} x', id="trailing-garbage"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"jsonrpc", id="bare-word"),
    ],
)
def test_load_json_raises_parse_error_for_non_json(body: bytes) -> None:
    """V-19: a body that is not JSON → -32700 (HTTP 400)."""
    with pytest.raises(ParseError) as info:
        load_json(body)
    assert info.value.code == PARSE_ERROR
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"NaN", id="nan"),
        pytest.param(b'{"jsonrpc": "2.0", "id": 1, "method": "x", "params": {"a": Infinity}}',
                     id="infinity-in-params"),
    ],
)
def test_load_json_rejects_non_finite_number_literals(body: bytes) -> None:
    """V-19: NaN/Infinity are not JSON → -32700."""
    with pytest.raises(ParseError):
        load_json(body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b'{"a": [1, "x", null, true]}', {"a": [1, "x", None, True]}, id="object"),
        pytest.param(b"[1, 2]", [1, 2], id="array"),
        pytest.param('{"s": "é"}'.encode(), {"s": "é"}, id="utf8"),
        pytest.param(b'  {"a": 1}\n', {"a": 1}, id="surrounding-whitespace"),
    ],
)
def test_load_json_decodes_valid_json(body: bytes, expected: Any) -> None:
    assert load_json(body) == expected


def test_load_json_then_parse_message_builds_request() -> None:
    body = b'{"jsonrpc":"2.0","id":"r1","method":"tools/call","params":{"name":"t"}}'
    assert parse_message(load_json(body)) == JsonRpcRequest("r1", "tools/call", {"name": "t"})


# -- building and dumping messages -------------------------------------------------------------


def test_result_message_shape() -> None:
    assert result_message(3, {"x": 1}) == {"jsonrpc": "2.0", "id": 3, "result": {"x": 1}}


def test_error_message_carries_request_id_and_error() -> None:
    """V-11: an error to a parseable request carries its id."""
    message = error_message("q", InvalidParams("nope", {"k": 1}))
    assert message == {"jsonrpc": "2.0", "id": "q",
                       "error": {"code": -32602, "message": "nope", "data": {"k": 1}}}


def test_error_message_omits_id_when_unknown() -> None:
    """V-11: id is omitted only when it could not be read."""
    message = error_message(None, ParseError())
    assert message == {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}}


def test_error_message_keeps_zero_id() -> None:
    assert error_message(0, ParseError())["id"] == 0


def test_error_without_data_has_no_data_key() -> None:
    assert "data" not in InvalidParams().to_error()
    assert InvalidParams().to_error() == {"code": -32602, "message": "Invalid params"}


def test_resource_not_found_error_names_uri() -> None:
    error = ResourceNotFound("app://x").to_error()
    assert error["data"] == {"uri": "app://x"}
    assert "app://x" in error["message"]


def test_notification_and_request_message_shapes() -> None:
    assert notification_message("notifications/progress", {"p": 1}) == {
        "jsonrpc": "2.0", "method": "notifications/progress", "params": {"p": 1}}
    assert request_message(4, "roots/list", {}) == {
        "jsonrpc": "2.0", "id": 4, "method": "roots/list", "params": {}}


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(result_message(1, {"content": [{"type": "text", "text": "é ✓"}]}),
                     id="result-unicode"),
        pytest.param(error_message(None, ParseError()), id="error-no-id"),
        pytest.param([result_message(1, {}), result_message("b", {"n": None})], id="batch"),
        pytest.param(notification_message("n", {"big": 2**62, "f": 1.5}), id="numbers"),
    ],
)
def test_dump_round_trips_through_load_json(message: Any) -> None:
    data = dump(message)
    assert isinstance(data, bytes)
    assert load_json(data) == message
    assert json.loads(data) == message


def test_dump_is_compact() -> None:
    assert dump({"a": [1, 2]}) == b'{"a":[1,2]}'


def test_dump_then_parse_round_trip_of_request() -> None:
    request = request_message("id-9", "sampling/createMessage", {"maxTokens": 5})
    parsed = parse_message(load_json(dump(request)))
    assert parsed == JsonRpcRequest("id-9", "sampling/createMessage", {"maxTokens": 5})
