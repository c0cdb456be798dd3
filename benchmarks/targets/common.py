"""The echo tools/call answer shared by the bare baselines (no framework, just json)."""

from __future__ import annotations

import json
from typing import Any


class BadRequest(Exception):
    pass


def echo_reply(body: bytes) -> bytes:
    """Parse one JSON-RPC tools/call for `echo` and return the serialized result message.

    This is the minimum work every MCP server has to do for the benchmark request: decode the
    body, check it is a tools/call for `echo` with a string `text`, and encode a CallToolResult.
    """
    try:
        message: Any = json.loads(body)
    except ValueError as exc:
        raise BadRequest("parse error") from exc
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise BadRequest("not a JSON-RPC 2.0 message")
    params = message.get("params")
    if message.get("method") != "tools/call" or not isinstance(params, dict):
        raise BadRequest("not tools/call")
    arguments = params.get("arguments")
    text = arguments.get("text") if isinstance(arguments, dict) else None
    if params.get("name") != "echo" or not isinstance(text, str):
        raise BadRequest("unknown tool or bad arguments")
    result = {"content": [{"type": "text", "text": text}], "isError": False}
    return json.dumps({"jsonrpc": "2.0", "id": message.get("id"), "result": result},
                      separators=(",", ":")).encode()
