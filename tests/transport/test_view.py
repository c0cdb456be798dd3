"""The Django view adapter (used when the ASGI fast path is not installed) serves both eras."""

from __future__ import annotations

import json

import pytest
from django.test import AsyncClient

from tests.e2e.helpers import meta, modern_headers
from tests.wire import parse_sse, validate_message

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def post(client: AsyncClient, body: dict, headers: dict[str, str]):
    return await client.post("/conformance/mcp", data=json.dumps(body),
                             content_type="application/json",
                             headers={k: v for k, v in headers.items() if k != "Content-Type"})


async def test_view_serves_a_modern_request_as_json():
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta()}}
    response = await post(AsyncClient(), body, modern_headers("tools/list"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    message = json.loads(response.content)
    validate_message(message, "2026-07-28", "tools/list")


async def test_view_streams_progress_as_sse():
    body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "test_tool_with_progress", "arguments": {},
        "_meta": meta(progressToken="v")}}
    response = await post(AsyncClient(), body, modern_headers("tools/call",
                                                              "test_tool_with_progress"))
    assert response["Content-Type"] == "text/event-stream"
    content = b"".join([chunk async for chunk in response.streaming_content]).decode()
    messages = parse_sse(content)
    assert [m.get("method") for m in messages[:3]] == ["notifications/progress"] * 3
    assert messages[-1]["result"]["content"][0]["text"] == "Progress test completed"


async def test_view_runs_a_legacy_session_and_maps_errors():
    client = AsyncClient()
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "view", "version": "1"}}}
    accept = {"Accept": "application/json, text/event-stream"}
    response = await post(client, init, accept)
    session_id = response["Mcp-Session-Id"]
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    ok = await post(client, ping, {**accept, "Mcp-Session-Id": session_id})
    assert json.loads(ok.content)["result"] == {}
    gone = await post(client, ping, {**accept, "Mcp-Session-Id": "f" * 32})
    assert gone.status_code == 404
