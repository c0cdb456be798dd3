"""JSON-RPC 2.0 messages: bytes in, typed messages out, and back again. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic_core import from_json, to_json

from .errors import InvalidRequest, McpError, ParseError

RequestId = str | int


@dataclass(slots=True)
class JsonRpcRequest:
    id: RequestId
    method: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class JsonRpcNotification:
    method: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class JsonRpcResponse:
    """A response sent by the client to a server-initiated request."""

    id: RequestId
    result: Any = None
    error: dict[str, Any] | None = None


Message = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse


class InvalidMessage(InvalidRequest):
    """A malformed message whose id (if any) could be read."""

    def __init__(self, message: str, request_id: RequestId | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


def load_json(body: bytes) -> Any:
    """Decode a request body; raise `ParseError` when it is not JSON."""
    try:
        return from_json(body, allow_inf_nan=False)
    except ValueError:
        raise ParseError("Parse error: body is not valid JSON") from None


def parse_message(obj: Any) -> Message:
    """Turn one decoded JSON value into a typed message or raise `InvalidMessage`."""
    if not isinstance(obj, dict):
        raise InvalidMessage("Invalid request: a JSON-RPC message must be an object")
    request_id = _read_id(obj)
    if obj.get("jsonrpc") != "2.0":
        raise InvalidMessage('Invalid request: "jsonrpc" must be "2.0"', request_id)
    if "method" in obj:
        return _parse_call(obj, request_id)
    if "result" in obj or "error" in obj:
        return _parse_response(obj, request_id)
    raise InvalidMessage("Invalid request: no method, result or error", request_id)


def _read_id(obj: dict[str, Any]) -> RequestId | None:
    value = obj.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return value


def _parse_call(obj: dict[str, Any], request_id: RequestId | None) -> Message:
    method = obj["method"]
    if not isinstance(method, str) or not method:
        raise InvalidMessage('Invalid request: "method" must be a non-empty string', request_id)
    params = obj.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidMessage('Invalid request: "params" must be an object', request_id)
    if "id" not in obj:
        return JsonRpcNotification(method, params)
    if request_id is None:
        raise InvalidMessage('Invalid request: "id" must be a string or an integer')
    return JsonRpcRequest(request_id, method, params)


def _parse_response(obj: dict[str, Any], request_id: RequestId | None) -> JsonRpcResponse:
    if request_id is None:
        raise InvalidMessage('Invalid request: a response needs a string or integer "id"')
    if "result" in obj and "error" in obj:
        raise InvalidMessage('Invalid request: a response has "result" or "error", not both',
                             request_id)
    error = obj.get("error")
    if error is not None and not isinstance(error, dict):
        raise InvalidMessage('Invalid request: "error" must be an object', request_id)
    return JsonRpcResponse(request_id, obj.get("result"), error)


def result_message(request_id: RequestId, result: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_message(request_id: RequestId | None, error: McpError) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0"}
    if request_id is not None:
        message["id"] = request_id
    message["error"] = error.to_error()
    return message


def notification_message(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def request_message(request_id: RequestId, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def dump(message: Any) -> bytes:
    """Serialise a message (or a list of them) to compact JSON bytes."""
    return to_json(message)
