"""Every example in docs/examples runs and does what the docs say."""

from __future__ import annotations

import asyncio

import pytest

from mcp_django.core.context import Context
from mcp_django.core.dispatcher import Dispatcher
from mcp_django.core.jsonrpc import JsonRpcRequest
from mcp_django.core.options import ServerOptions
from mcp_django.core.versions import Era


def run(dispatcher: Dispatcher, method: str, params: dict, era: Era = Era.MODERN,
        **context: object) -> dict:
    version = "2026-07-28" if era is Era.MODERN else "2025-11-25"
    ctx = Context(1, method, era, version, params, log_level="info", **context)
    return asyncio.run(dispatcher.handle(JsonRpcRequest(1, method, params), ctx)).message


def test_quickstart_example_tools_resource_prompt():
    from docs.examples.quickstart_tools import registry

    dispatcher = Dispatcher(registry, ServerOptions())
    tools = run(dispatcher, "tools/list", {})["result"]["tools"]
    assert [tool["name"] for tool in tools] == ["add", "forecast", "delete_note"]
    assert run(dispatcher, "tools/call", {"name": "add", "arguments": {"a": 2}}
               )["result"]["structuredContent"] == {"result": 3}
    forecast = run(dispatcher, "tools/call", {"name": "forecast", "arguments": {"city": "Oslo"}})
    assert forecast["result"]["structuredContent"] == {"city": "Oslo", "celsius": 21.5}
    failed = run(dispatcher, "tools/call", {"name": "forecast",
                                            "arguments": {"city": "Atlantis"}})["result"]
    assert failed["isError"] and failed["content"][0]["text"] == "No forecasts below sea level"
    note = run(dispatcher, "resources/read", {"uri": "notes://hello"})["result"]
    assert note["contents"][0]["mimeType"] == "text/markdown"
    prompt = run(dispatcher, "prompts/get", {"name": "summarise", "arguments": {"text": "x"}})
    assert "short style" in prompt["result"]["messages"][0]["content"]["text"]


@pytest.mark.django_db(transaction=True)
def test_second_server_example():
    from docs.examples.second_server import internal, urlpatterns

    assert urlpatterns[0].pattern._route == "mcp"
    assert internal.setting("JSON_RESPONSE") is True
    assert internal.setting("SESSION_TTL") == 3600  # everything else from MCP_DJANGO/defaults
    dispatcher = internal.dispatcher
    answer = run(dispatcher, "tools/call", {"name": "ping_db"}, Era.LEGACY,
                 run_sync=internal.run_sync)
    assert answer["result"]["content"][0]["text"] == "ok"


def test_quickstart_example_asks_for_confirmation():
    """The docs' delete_note: -32021 without elicitation, input_required, then the retry."""
    from docs.examples.quickstart_tools import registry

    dispatcher = Dispatcher(registry, ServerOptions())
    params = {"name": "delete_note", "arguments": {"slug": "todo"}}
    refused = run(dispatcher, "tools/call", params)
    assert refused["error"]["code"] == -32021
    asked = run(dispatcher, "tools/call", params, client_capabilities={"elicitation": {}})
    assert asked["result"]["resultType"] == "input_required"
    assert list(asked["result"]["inputRequests"]) == ["confirm"]
    answered = run(dispatcher, "tools/call", {**params, "inputResponses": {
        "confirm": {"action": "accept", "content": {"sure": True}}}},
        client_capabilities={"elicitation": {}})
    assert answered["result"]["content"][0]["text"] == "Deleted todo"


def test_toolsets_example_builds_the_documented_tools():
    from docs.examples.toolsets import registry

    assert sorted(registry.tools) == [
        "docs_author_list", "docs_author_retrieve", "docs_book_create", "docs_book_list",
        "docs_book_retrieve", "docs_book_update", "docs_library_report", "staff_only"]
    create = registry.tools["docs_book_create"]
    assert create.permissions == ["library.add_book"]
    assert set(create.signature.input_schema["properties"]) == {"title", "author", "genre"}
    listing = registry.tools["docs_book_list"].signature.input_schema
    filters = listing["$defs"]["BookFilters"]["properties"]
    assert set(filters) == {"genre", "genre__in", "author__name__icontains", "published__gte",
                            "published__lte"}
    assert listing["properties"]["page_size"]["maximum"] == 50
    report = registry.tools["docs_library_report"].signature.input_schema["properties"]
    assert {"title", "genre", "delay", "fail"} <= set(report)
    assert not registry.problems


def _notes_post(method: str, params: dict, name: str | None) -> tuple[int, dict]:
    import json

    from docs.examples.custom_method import notes
    from mcp_django.transport.http import IncomingRequest

    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}
    headers = {"host": "localhost", "content-type": "application/json",
               "accept": "application/json, text/event-stream",
               "mcp-protocol-version": "2026-07-28", "mcp-method": method}
    if name is not None:
        headers["mcp-name"] = name
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                       "params": {**params, "_meta": meta}}).encode()
    outgoing = asyncio.run(notes.endpoint.handle(IncomingRequest("POST", headers, body)))
    return outgoing.status, json.loads(outgoing.body)


def test_custom_method_example_is_served_with_its_spec():
    """docs/architecture.md "Adding a method": params model, Mcp-Name source, era."""
    from docs.examples.custom_method import notes

    assert _notes_post("notes/count", {"folder": "inbox"}, "inbox") == (
        200, {"jsonrpc": "2.0", "id": 1, "result": {
            "count": 2, "resultType": "complete", "_meta": {
                "io.modelcontextprotocol/serverInfo": notes.dispatcher.options.server_info()}}})
    status, wrong_type = _notes_post("notes/count", {"folder": 3}, "3")
    assert wrong_type["error"]["code"] == -32020  # Mcp-Name "3" is not the number 3
    status, bad = _notes_post("notes/count", {"folder": ["inbox"]}, None)
    assert (status, bad["error"]["code"]) == (400, -32020)  # Mcp-Name is required
    assert not notes.dispatcher.knows(Era.LEGACY, "notes/count")
    reply = run(notes.dispatcher, "notes/count", {"folder": 3})
    assert reply["error"] == {"code": -32602, "message":
                              "Invalid params: params.folder: Input should be a valid string"}
    legacy = run(notes.dispatcher, "notes/count", {"folder": "inbox"}, Era.LEGACY)
    assert legacy["error"]["code"] == -32601
