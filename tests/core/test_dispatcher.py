"""Dispatcher: method tables of both eras, result envelopes, error mapping and method families."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import jsonschema
import pytest
from pydantic import BaseModel

from mcp_django.core.context import Context
from mcp_django.core.dispatcher import Dispatcher, Reply
from mcp_django.core.errors import (
    HeaderMismatch,
    InvalidMeta,
    InvalidParams,
    InvalidRequest,
    MissingCapability,
    ResourceNotFound,
    ToolError,
    UnsupportedVersion,
)
from mcp_django.core.jsonrpc import JsonRpcRequest, dump
from mcp_django.core.methods.pagination import encode_cursor
from mcp_django.core.options import ServerOptions
from mcp_django.core.versions import META_SERVER_INFO, Era
from mcp_django.registry import Registry, header_param, resource_link, text, text_contents
from mcp_django.registry.content import Content

MODERN = "2026-07-28"
ICONS = [{"src": "https://example.com/icon.png", "mimeType": "image/png"}]
SECRET = "hunter2-do-not-leak"

LEGACY_AND_MODERN = [
    pytest.param(Era.LEGACY, "2025-06-18", id="legacy-06-18"),
    pytest.param(Era.MODERN, MODERN, id="modern"),
]
CACHEABLE = ["tools/list", "prompts/list", "resources/list", "resources/templates/list",
             "resources/read"]


# -- registered functions ----------------------------------------------------------------------


class Point(BaseModel):
    x: int
    y: int


def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


async def echo(text: str) -> str:
    return text


def fails_with_tool_error(reason: str = "quota exceeded") -> str:
    raise ToolError(reason)


def explodes() -> str:
    raise RuntimeError(f"database password is {SECRET}")


async def needs_sampling() -> str:
    raise MissingCapability({"sampling": {}})


def point() -> Point:
    return Point(x=1, y=2)


def numbers(n: int) -> list[int]:
    return list(range(n))


async def whoami(ctx: Context) -> str:
    return f"{ctx.method}#{ctx.request_id}"


def whoami_sync(prefix: str, context: Context) -> str:
    return f"{prefix}:{context.request_id}"


def links() -> list[Content]:
    return [text("see"), resource_link("app://readme", "readme")]


def weather(city: str, region: Annotated[str, header_param("Region")] = "eu") -> str:
    return f"{city}/{region}"


def as_dict() -> dict[str, Any]:
    return {"k": "v"}


def nothing() -> None:
    return None


def cancelled() -> str:
    raise asyncio.CancelledError


def readme() -> str:
    """The project readme."""
    return "# Readme"


def logo() -> bytes:
    return b"\x89PNG\r\n"


def settings_json() -> dict[str, Any]:
    return {"debug": False}


def two_parts() -> list[Any]:
    return [text_contents("app://parts", "one"), text_contents("app://parts#2", "two")]


def one_part() -> Any:
    return text_contents("app://one#0", "only", "text/x-custom")


def broken_resource() -> str:
    raise RuntimeError(f"cannot open {SECRET}")


def item(id: int) -> str:
    return f"item {id}"


async def file(path: str) -> str:
    return f"file {path}"


def greet(name: str, tone: str = "warm") -> str:
    """Greet someone."""
    return f"Hello {name} ({tone})"


def conversation(topic: str) -> list[Any]:
    return ["Tell me about " + topic, {"role": "assistant", "content": text("Sure.")}]


def complete_name(argument: str, value: str, context: dict[str, Any]) -> list[str]:
    return [n for n in ("alice", "alfred", "bob") if n.startswith(value)]


async def complete_item(argument: str, value: str, context: dict[str, Any]) -> list[str]:
    return [f"{argument}={value}{i}" for i in range(150)] + [str(context)]


def build_registry() -> Registry:
    registry = Registry()
    registry.tool(title="Adder", icons=ICONS)(add)
    for func in (echo, fails_with_tool_error, explodes, needs_sampling, point, numbers, whoami,
                 whoami_sync, links, weather, as_dict, nothing, cancelled):
        registry.tool(func)
    registry.resource("app://readme", mime_type="text/markdown", title="Readme",
                      icons=ICONS)(readme)
    registry.resource("app://logo.png", mime_type="image/png")(logo)
    registry.resource("app://settings")(settings_json)
    registry.resource("app://parts")(two_parts)
    registry.resource("app://one")(one_part)
    registry.resource("app://broken")(broken_resource)
    registry.resource("app://items/{id}", title="Item")(item)
    registry.resource("file:///{+path}")(file)
    registry.prompt(title="Greeting", icons=ICONS)(greet)
    registry.prompt(conversation)
    registry.completion(prompt="greet")(complete_name)
    registry.completion(resource="app://items/{id}")(complete_item)
    return registry


def make_dispatcher(registry: Registry | None = None, **options: Any) -> Dispatcher:
    return Dispatcher(registry if registry is not None else build_registry(),
                      ServerOptions(**options))


async def call(dispatcher: Dispatcher, method: str, params: dict[str, Any] | None = None, *,
               era: Era = Era.MODERN, version: str | None = None, request_id: Any = 1,
               **fields: Any) -> Reply:
    version = version or (MODERN if era is Era.MODERN else "2025-11-25")
    params = params if params is not None else {}
    ctx = Context(request_id, method, era, version, params, **fields)
    return await dispatcher.handle(JsonRpcRequest(request_id, method, params), ctx)


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200
    assert "error" not in reply.message, reply.message
    assert reply.message["jsonrpc"] == "2.0"
    return reply.message["result"]


def failed(reply: Reply) -> dict[str, Any]:
    assert "result" not in reply.message, reply.message
    return reply.message["error"]


def only_text(result: dict[str, Any]) -> str:
    [block] = result["content"]
    assert block["type"] == "text"
    return block["text"]


@pytest.fixture
def dispatcher() -> Dispatcher:
    return make_dispatcher(name="srv", version="9.9", title="Server")


# -- method tables -----------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("era", "version", "status"),
    [pytest.param(Era.LEGACY, "2025-06-18", 200, id="V-14-legacy-200"),
     pytest.param(Era.LEGACY, "2025-03-26", 200, id="V-14-legacy-03-26-200"),
     pytest.param(Era.MODERN, MODERN, 404, id="V-13-modern-404")],
)
async def test_unknown_method_is_method_not_found(
    dispatcher: Dispatcher, era: Era, version: str, status: int
) -> None:
    """V-13/V-14/C-4: -32601, HTTP 404 only for modern requests."""
    reply = await call(dispatcher, "foo/bar", era=era, version=version, request_id="r-7")
    assert reply.status == status
    assert reply.message["id"] == "r-7"
    assert failed(reply)["code"] == -32601


@pytest.mark.asyncio
@pytest.mark.parametrize("method", ["initialize", "ping", "logging/setLevel",
                                    "resources/subscribe", "resources/unsubscribe",
                                    "tasks/result", "tasks/list"])
async def test_legacy_only_methods_are_404_on_modern(dispatcher: Dispatcher, method: str) -> None:
    """V-13/C-13: methods the modern revision lacks → 404 + -32601."""
    reply = await call(dispatcher, method, {"protocolVersion": "2025-11-25", "level": "info",
                                            "uri": "app://readme"})
    assert reply.status == 404
    assert failed(reply)["code"] == -32601
    assert not dispatcher.knows(Era.MODERN, method)


@pytest.mark.asyncio
async def test_server_discover_inside_legacy_session_is_200_method_not_found(
    dispatcher: Dispatcher,
) -> None:
    """V-25: server/discover is not a legacy method."""
    reply = await call(dispatcher, "server/discover", era=Era.LEGACY)
    assert reply.status == 200
    assert failed(reply)["code"] == -32601
    assert dispatcher.knows(Era.MODERN, "server/discover")
    assert not dispatcher.knows(Era.LEGACY, "server/discover")


@pytest.mark.parametrize("method", ["tools/list", "tools/call", "resources/list",
                                    "resources/templates/list", "resources/read", "prompts/list",
                                    "prompts/get", "completion/complete"])
@pytest.mark.parametrize("era", [Era.LEGACY, Era.MODERN])
def test_shared_methods_exist_in_both_eras(dispatcher: Dispatcher, era: Era, method: str) -> None:
    assert dispatcher.knows(era, method)


# -- result envelopes --------------------------------------------------------------------------

ENVELOPE_CASES = [
    ("tools/list", {}),
    ("tools/call", {"name": "echo", "arguments": {"text": "hi"}}),
    ("tools/call", {"name": "fails_with_tool_error"}),
    ("resources/list", {}),
    ("resources/templates/list", {}),
    ("resources/read", {"uri": "app://readme"}),
    ("prompts/list", {}),
    ("prompts/get", {"name": "greet", "arguments": {"name": "Ann"}}),
    ("completion/complete", {"ref": {"type": "ref/prompt", "name": "greet"},
                             "argument": {"name": "name", "value": "a"}}),
]
ENVELOPE_IDS = [f"{m}-{i}" for i, (m, _) in enumerate(ENVELOPE_CASES)]


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "params"), ENVELOPE_CASES, ids=ENVELOPE_IDS)
async def test_modern_results_have_result_type_and_server_info(
    dispatcher: Dispatcher, method: str, params: dict[str, Any]
) -> None:
    """S-16, S-17: resultType "complete" and _meta serverInfo on every modern result."""
    result = ok(await call(dispatcher, method, params))
    assert result["resultType"] == "complete"
    assert result["_meta"][META_SERVER_INFO] == {"name": "srv", "version": "9.9",
                                                 "title": "Server"}


@pytest.mark.asyncio
@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18", "2025-11-25"])
@pytest.mark.parametrize(("method", "params"), ENVELOPE_CASES, ids=ENVELOPE_IDS)
async def test_legacy_results_have_no_modern_envelope(
    dispatcher: Dispatcher, method: str, params: dict[str, Any], version: str
) -> None:
    """C-16: resultType, ttlMs, cacheScope and _meta serverInfo only on modern results."""
    result = ok(await call(dispatcher, method, params, era=Era.LEGACY, version=version))
    for key in ("resultType", "ttlMs", "cacheScope", "_meta"):
        assert key not in result


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "params", "ttl", "scope"),
    [
        pytest.param("tools/list", {}, 60_000, "public", id="tools/list"),
        pytest.param("prompts/list", {}, 60_000, "public", id="prompts/list"),
        pytest.param("resources/list", {}, 60_000, "public", id="resources/list"),
        pytest.param("resources/templates/list", {}, 60_000, "public",
                     id="resources/templates/list"),
        pytest.param("resources/read", {"uri": "app://readme"}, 0, "private",
                     id="resources/read"),
        pytest.param("server/discover", {}, 60_000, "public", id="server/discover"),
    ],
)
async def test_cacheable_modern_results_have_ttl_and_scope(
    dispatcher: Dispatcher, method: str, params: dict[str, Any], ttl: int, scope: str
) -> None:
    """S-59: integer ttlMs >= 0 and cacheScope on the six cacheable results."""
    result = ok(await call(dispatcher, method, params))
    assert result["ttlMs"] == ttl
    assert isinstance(result["ttlMs"], int)
    assert result["cacheScope"] == scope


@pytest.mark.asyncio
@pytest.mark.parametrize("method", CACHEABLE + ["server/discover"])
async def test_cache_hints_follow_options(method: str) -> None:
    dispatcher = make_dispatcher(list_ttl_ms=5, read_ttl_ms=7, cache_scope="private")
    params = {"uri": "app://readme"} if method == "resources/read" else {}
    result = ok(await call(dispatcher, method, params))
    assert result["ttlMs"] == (7 if method == "resources/read" else 5)
    assert result["cacheScope"] == "private"


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "params"), [
    ("tools/call", {"name": "echo", "arguments": {"text": "x"}}),
    ("prompts/get", {"name": "greet", "arguments": {"name": "x"}}),
    ("completion/complete", {"ref": {"type": "ref/prompt", "name": "greet"},
                             "argument": {"name": "name", "value": ""}}),
], ids=["tools/call", "prompts/get", "completion/complete"])
async def test_non_cacheable_modern_results_have_no_cache_hints(
    dispatcher: Dispatcher, method: str, params: dict[str, Any]
) -> None:
    result = ok(await call(dispatcher, method, params))
    assert "ttlMs" not in result
    assert "cacheScope" not in result


# -- tools/call --------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"name": "nope"}, id="unknown-name"),
        pytest.param({"name": "Echo", "arguments": {"text": "x"}}, id="name-case-sensitive"),
        pytest.param({}, id="no-name"),
        pytest.param({"name": 5}, id="name-not-string"),
        pytest.param({"name": "echo", "arguments": ["x"]}, id="arguments-not-object"),
        pytest.param({"name": "echo", "arguments": "x"}, id="arguments-string"),
    ],
)
async def test_tools_call_bad_request_is_invalid_params(
    dispatcher: Dispatcher, era: Era, version: str, params: dict[str, Any]
) -> None:
    """L-61: unknown tool → JSON-RPC -32602 (HTTP 200 in both eras, S-32)."""
    reply = await call(dispatcher, "tools/call", params, era=era, version=version)
    assert reply.status == 200
    assert failed(reply)["code"] == -32602


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
async def test_tool_error_becomes_is_error_result(
    dispatcher: Dispatcher, era: Era, version: str
) -> None:
    result = ok(await call(dispatcher, "tools/call",
                           {"name": "fails_with_tool_error", "arguments": {"reason": "no quota"}},
                           era=era, version=version))
    assert result["isError"] is True
    assert only_text(result) == "no quota"


@pytest.mark.asyncio
async def test_tool_error_without_message_has_generic_text(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "tools/call",
                           {"name": "fails_with_tool_error", "arguments": {"reason": ""}}))
    assert result["isError"] is True
    assert only_text(result) == "Tool error"


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
async def test_unexpected_tool_exception_is_generic_is_error(
    dispatcher: Dispatcher, era: Era, version: str
) -> None:
    """L-61: execution failures are tool results; nothing of the exception text leaks."""
    reply = await call(dispatcher, "tools/call", {"name": "explodes"}, era=era, version=version)
    result = ok(reply)
    assert result["isError"] is True
    assert only_text(result) == "Tool execution failed"
    assert SECRET.encode() not in dump(reply.message)
    assert b"RuntimeError" not in dump(reply.message)


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version", "status"), [
    pytest.param(Era.MODERN, MODERN, 400, id="S-15-modern-400"),
    pytest.param(Era.LEGACY, "2025-11-25", 200, id="legacy-200"),
])
async def test_mcp_error_raised_in_tool_is_json_rpc_error(
    dispatcher: Dispatcher, era: Era, version: str, status: int
) -> None:
    """S-15: a missing client capability → -32021 with data.requiredCapabilities."""
    reply = await call(dispatcher, "tools/call", {"name": "needs_sampling"}, era=era,
                       version=version, request_id=42)
    assert reply.status == status
    assert reply.message["id"] == 42
    assert failed(reply) == {"code": -32021, "message": "Missing required client capability",
                             "data": {"requiredCapabilities": {"sampling": {}}}}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        pytest.param({}, "a", id="missing-required"),
        pytest.param({"a": "not-a-number"}, "a", id="wrong-type"),
        pytest.param({"a": 1, "b": [1]}, "b", id="wrong-type-optional"),
    ],
)
async def test_argument_validation_error_is_is_error_naming_field(
    dispatcher: Dispatcher, arguments: dict[str, Any], field: str
) -> None:
    """L-61: argument-validation failures are tool results (isError), naming the field."""
    result = ok(await call(dispatcher, "tools/call", {"name": "add", "arguments": arguments}))
    assert result["isError"] is True
    message = only_text(result)
    assert message.startswith("Invalid arguments: ")
    assert f"{field}: " in message
    assert "not-a-number" not in message
    assert "structuredContent" not in result


@pytest.mark.asyncio
async def test_argument_validation_error_does_not_echo_input(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "tools/call",
                           {"name": "add", "arguments": {"a": SECRET}}))
    assert SECRET not in only_text(result)


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
async def test_async_tool_is_awaited_without_run_sync(era: Era, version: str) -> None:
    calls: list[Any] = []

    async def run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(func)
        return func(*args, **kwargs)

    result = ok(await call(make_dispatcher(), "tools/call",
                           {"name": "echo", "arguments": {"text": "héllo"}}, era=era,
                           version=version, run_sync=run_sync))
    assert result["content"] == [{"type": "text", "text": "héllo"}]
    assert result["isError"] is False
    assert "structuredContent" not in result
    assert calls == []


@pytest.mark.asyncio
async def test_sync_tool_runs_through_ctx_run_sync() -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []

    async def run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append((func, kwargs))
        return func(*args, **kwargs)

    result = ok(await call(make_dispatcher(), "tools/call",
                           {"name": "add", "arguments": {"a": 2, "b": 5}}, run_sync=run_sync))
    assert result["structuredContent"] == {"result": 7}
    assert calls == [(add, {"a": 2, "b": 5})]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        pytest.param("whoami", {}, "tools/call#ctx-1", id="async"),
        pytest.param("whoami", {"ctx": "forged"}, "tools/call#ctx-1", id="async-not-forgeable"),
        pytest.param("whoami_sync", {"prefix": "p"}, "p:ctx-1", id="sync-other-name"),
    ],
)
async def test_context_is_injected(
    dispatcher: Dispatcher, name: str, arguments: dict[str, Any], expected: str
) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": name, "arguments": arguments},
                           request_id="ctx-1"))
    assert only_text(result) == expected
    assert result["isError"] is False


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "arguments", "structured"),
    [
        pytest.param("point", {}, {"x": 1, "y": 2}, id="pydantic-model"),
        pytest.param("add", {"a": 1, "b": 2}, {"result": 3}, id="int-wrapped"),
        pytest.param("numbers", {"n": 3}, {"result": [0, 1, 2]}, id="list-wrapped"),
        pytest.param("as_dict", {}, {"k": "v"}, id="dict-object"),
    ],
)
async def test_structured_output_matches_output_schema(
    dispatcher: Dispatcher, name: str, arguments: dict[str, Any], structured: Any
) -> None:
    """L-62/S-65/C-17: structuredContent validates against outputSchema, mirrored as text."""
    listed = ok(await call(dispatcher, "tools/list"))
    [definition] = [t for t in listed["tools"] if t["name"] == name]
    assert definition["outputSchema"]["type"] == "object"
    result = ok(await call(dispatcher, "tools/call", {"name": name, "arguments": arguments}))
    assert result["structuredContent"] == structured
    assert result["isError"] is False
    jsonschema.validate(result["structuredContent"], definition["outputSchema"])
    assert only_text(result) == dump(structured).decode()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("echo", [{"type": "text", "text": "x"}], id="str"),
        pytest.param("links", [{"type": "text", "text": "see"},
                               {"type": "resource_link", "uri": "app://readme",
                                "name": "readme"}], id="content-list"),
        pytest.param("nothing", [], id="none"),
    ],
)
async def test_unstructured_output(dispatcher: Dispatcher, name: str, content: Any) -> None:
    result = ok(await call(dispatcher, "tools/call",
                           {"name": name, "arguments": {"text": "x"}}))
    assert result["content"] == content
    assert "structuredContent" not in result


@pytest.mark.asyncio
async def test_cancellation_propagates(dispatcher: Dispatcher) -> None:
    with pytest.raises(asyncio.CancelledError):
        await call(dispatcher, "tools/call", {"name": "cancelled"})


@pytest.mark.asyncio
async def test_hidden_tools_are_not_listed_and_look_unknown(dispatcher: Dispatcher) -> None:
    dispatcher.visibility = lambda ctx, spec: spec.name != "echo"
    names = [t["name"] for t in ok(await call(dispatcher, "tools/list"))["tools"]]
    assert "echo" not in names
    assert "add" in names
    hidden = failed(await call(dispatcher, "tools/call", {"name": "echo",
                                                          "arguments": {"text": "x"}}))
    unknown = failed(await call(dispatcher, "tools/call", {"name": "zzz"}))
    assert hidden["code"] == unknown["code"] == -32602
    assert hidden["message"].replace("echo", "zzz") == unknown["message"]


# -- tools/list and legacy shaping -------------------------------------------------------------


@pytest.mark.asyncio
async def test_tools_list_entries(dispatcher: Dispatcher) -> None:
    """L-60/S-62: name, description, inputSchema with root type object; stable order."""
    first = ok(await call(dispatcher, "tools/list"))
    second = ok(await call(dispatcher, "tools/list"))
    assert [t["name"] for t in first["tools"]] == [t["name"] for t in second["tools"]]
    assert [t["name"] for t in first["tools"]][:3] == ["add", "echo", "fails_with_tool_error"]
    [adder] = [t for t in first["tools"] if t["name"] == "add"]
    assert adder["title"] == "Adder"
    assert adder["description"] == "Add two numbers."
    assert adder["icons"] == ICONS
    assert adder["inputSchema"]["type"] == "object"
    assert adder["inputSchema"]["required"] == ["a"]
    assert "nextCursor" not in first
    for entry in first["tools"]:
        assert entry["inputSchema"]["type"] == "object"
        assert isinstance(entry["description"], str)
    [whoami_entry] = [t for t in first["tools"] if t["name"] == "whoami"]
    assert whoami_entry["inputSchema"]["properties"] == {}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("version", "dropped", "kept"),
    [
        pytest.param("2025-03-26", {"title", "outputSchema", "icons"}, set(), id="03-26"),
        pytest.param("2025-06-18", {"icons"}, {"title", "outputSchema"}, id="06-18"),
        pytest.param("2025-11-25", set(), {"title", "outputSchema", "icons"}, id="11-25"),
    ],
)
async def test_legacy_tools_list_shape(
    dispatcher: Dispatcher, version: str, dropped: set[str], kept: set[str]
) -> None:
    """L-63: fields a revision lacks are not sent."""
    result = ok(await call(dispatcher, "tools/list", era=Era.LEGACY, version=version))
    [adder] = [t for t in result["tools"] if t["name"] == "add"]
    assert not dropped & adder.keys()
    assert kept <= adder.keys()
    assert {"name", "description", "inputSchema"} <= adder.keys()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("version", "has_structured"),
    [pytest.param("2025-03-26", False, id="03-26"), pytest.param("2025-06-18", True, id="06-18"),
     pytest.param("2025-11-25", True, id="11-25")],
)
async def test_legacy_tools_call_structured_content(
    dispatcher: Dispatcher, version: str, has_structured: bool
) -> None:
    """L-63/C-17: no structuredContent for 2025-03-26; object root for later revisions."""
    result = ok(await call(dispatcher, "tools/call", {"name": "add", "arguments": {"a": 1}},
                           era=Era.LEGACY, version=version))
    assert ("structuredContent" in result) is has_structured
    if has_structured:
        assert result["structuredContent"] == {"result": 2}
    assert only_text(result) == '{"result":2}'


@pytest.mark.asyncio
async def test_legacy_03_26_tools_call_drops_resource_links(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": "links"}, era=Era.LEGACY,
                           version="2025-03-26"))
    assert result["content"] == [{"type": "text", "text": "see"}]


@pytest.mark.asyncio
async def test_legacy_06_18_drops_icons_from_prompts_and_resources(
    dispatcher: Dispatcher,
) -> None:
    prompts = ok(await call(dispatcher, "prompts/list", era=Era.LEGACY, version="2025-06-18"))
    resources = ok(await call(dispatcher, "resources/list", era=Era.LEGACY,
                              version="2025-06-18"))
    for entry in prompts["prompts"] + resources["resources"]:
        assert "icons" not in entry
    assert any(entry.get("title") for entry in prompts["prompts"])


# -- pagination --------------------------------------------------------------------------------


def paged_dispatcher(count: int = 5) -> Dispatcher:
    registry = Registry()
    for i in range(count):
        registry.tool(name=f"tool_{i}")(echo)
        registry.prompt(name=f"prompt_{i}")(greet)
        registry.resource(f"app://r/{i}", name=f"r{i}")(readme)
    return make_dispatcher(registry, page_size=2)


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
@pytest.mark.parametrize(("method", "key", "field", "prefix"), [
    ("tools/list", "tools", "name", "tool_"),
    ("prompts/list", "prompts", "name", "prompt_"),
    ("resources/list", "resources", "uri", "app://r/"),
])
async def test_list_pagination_round_trip(
    era: Era, version: str, method: str, key: str, field: str, prefix: str
) -> None:
    """L-59/S-60: opaque cursors walk every item once, in order, same cacheScope on each page."""
    dispatcher = paged_dispatcher()
    seen, params, sizes, scopes = [], {}, [], set()
    while True:
        result = ok(await call(dispatcher, method, params, era=era, version=version))
        sizes.append(len(result[key]))
        seen.extend(entry[field] for entry in result[key])
        scopes.add(result.get("cacheScope"))
        if "nextCursor" not in result:
            break
        assert isinstance(result["nextCursor"], str)
        params = {"cursor": result["nextCursor"]}
    assert seen == [f"{prefix}{i}" for i in range(5)]
    assert sizes == [2, 2, 1]
    assert len(scopes) == 1


@pytest.mark.asyncio
async def test_same_cursor_gives_same_page() -> None:
    dispatcher = paged_dispatcher()
    cursor = ok(await call(dispatcher, "tools/list"))["nextCursor"]
    first = ok(await call(dispatcher, "tools/list", {"cursor": cursor}))
    again = ok(await call(dispatcher, "tools/list", {"cursor": cursor}))
    assert first["tools"] == again["tools"]
    assert [t["name"] for t in first["tools"]] == ["tool_2", "tool_3"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
@pytest.mark.parametrize("method", ["tools/list", "prompts/list", "resources/list",
                                    "resources/templates/list"])
@pytest.mark.parametrize("cursor", [pytest.param("!!bogus!!", id="garbage"),
                                    pytest.param(encode_cursor(-1), id="negative"),
                                    pytest.param(7, id="not-a-string")])
async def test_invalid_cursor_is_invalid_params(
    era: Era, version: str, method: str, cursor: Any
) -> None:
    """L-59: an invalid cursor → -32602."""
    reply = await call(paged_dispatcher(), method, {"cursor": cursor}, era=era, version=version)
    assert reply.status == 200
    assert failed(reply)["code"] == -32602


# -- resources ---------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("uri", "contents"),
    [
        pytest.param("app://readme", [{"uri": "app://readme", "text": "# Readme",
                                       "mimeType": "text/markdown"}], id="text"),
        pytest.param("app://logo.png", [{"uri": "app://logo.png", "blob": "iVBORw0K",
                                         "mimeType": "image/png"}], id="bytes-base64"),
        pytest.param("app://settings", [{"uri": "app://settings", "text": '{"debug":false}',
                                         "mimeType": "application/json"}], id="json"),
        pytest.param("app://parts", [{"uri": "app://parts", "text": "one",
                                      "mimeType": "text/plain"},
                                     {"uri": "app://parts#2", "text": "two",
                                      "mimeType": "text/plain"}], id="contents-list"),
        pytest.param("app://one", [{"uri": "app://one#0", "text": "only",
                                    "mimeType": "text/x-custom"}], id="one-contents"),
        pytest.param("app://items/42", [{"uri": "app://items/42", "text": "item 42",
                                         "mimeType": "text/plain"}], id="template"),
        pytest.param("file:///etc/app/x.txt", [{"uri": "file:///etc/app/x.txt",
                                                "text": "file etc/app/x.txt",
                                                "mimeType": "text/plain"}], id="reserved-template"),
    ],
)
async def test_resources_read(dispatcher: Dispatcher, uri: str, contents: Any) -> None:
    """L-67: contents are text or base64 blob."""
    for era, version in ((Era.LEGACY, "2025-11-25"), (Era.MODERN, MODERN)):
        result = ok(await call(dispatcher, "resources/read", {"uri": uri}, era=era,
                               version=version))
        assert result["contents"] == contents


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "uri",
    [
        pytest.param("app://missing", id="unknown"),
        pytest.param("app://items/abc", id="template-variable-fails-validation"),
        pytest.param("app://items/1/2", id="simple-variable-no-slash"),
        pytest.param("app://items/", id="empty-variable"),
        pytest.param("app://readme/extra", id="static-prefix"),
    ],
)
@pytest.mark.parametrize(
    ("era", "version", "code"),
    [pytest.param(Era.LEGACY, "2025-06-18", -32002, id="L-67-legacy-32002"),
     pytest.param(Era.MODERN, MODERN, -32602, id="S-64-modern-32602")],
)
async def test_resource_not_found_code_depends_on_era(
    dispatcher: Dispatcher, uri: str, era: Era, version: str, code: int
) -> None:
    """C-8: -32002 to legacy sessions, -32602 to modern requests; data.uri both ways."""
    reply = await call(dispatcher, "resources/read", {"uri": uri}, era=era, version=version)
    assert reply.status == 200
    error = failed(reply)
    assert error["code"] == code
    assert error["data"] == {"uri": uri}


@pytest.mark.asyncio
@pytest.mark.parametrize("uri", [None, 5, ["app://readme"]])
async def test_resources_read_needs_string_uri(dispatcher: Dispatcher, uri: Any) -> None:
    params = {} if uri is None else {"uri": uri}
    assert failed(await call(dispatcher, "resources/read", params))["code"] == -32602


@pytest.mark.asyncio
async def test_resources_list_and_templates_list(dispatcher: Dispatcher) -> None:
    listed = ok(await call(dispatcher, "resources/list"))
    uris = [r["uri"] for r in listed["resources"]]
    assert uris == ["app://readme", "app://logo.png", "app://settings", "app://parts",
                    "app://one", "app://broken"]
    assert listed["resources"][0] == {"uri": "app://readme", "name": "readme", "title": "Readme",
                                      "description": "The project readme.",
                                      "mimeType": "text/markdown", "icons": ICONS}
    templates = ok(await call(dispatcher, "resources/templates/list"))
    assert templates["resourceTemplates"] == [
        {"uriTemplate": "app://items/{id}", "name": "item", "title": "Item"},
        {"uriTemplate": "file:///{+path}", "name": "file"},
    ]


@pytest.mark.asyncio
async def test_resources_subscribe_needs_a_session(dispatcher: Dispatcher) -> None:
    """L-57-ish: without a session there is nothing to subscribe; -32601."""
    reply = await call(dispatcher, "resources/subscribe", {"uri": "app://readme"},
                       era=Era.LEGACY)
    assert reply.status == 200
    assert failed(reply)["code"] == -32601


@pytest.mark.asyncio
async def test_resources_subscribe_and_unsubscribe_use_the_session(
    dispatcher: Dispatcher,
) -> None:
    """L-56: subscribe/unsubscribe → {} and the session records the URI."""
    class Session:
        id = "s"

        def __init__(self) -> None:
            self.uris: set[str] = set()

        async def subscribe(self, uri: str) -> None:
            self.uris.add(uri)

        async def unsubscribe(self, uri: str) -> None:
            self.uris.discard(uri)

    session = Session()
    params = {"uri": "app://readme"}
    assert ok(await call(dispatcher, "resources/subscribe", params, era=Era.LEGACY,
                         session=session)) == {}
    assert session.uris == {"app://readme"}
    assert ok(await call(dispatcher, "resources/unsubscribe", params, era=Era.LEGACY,
                         session=session)) == {}
    assert session.uris == set()
    bad = await call(dispatcher, "resources/subscribe", {"uri": 3}, era=Era.LEGACY,
                     session=session)
    assert failed(bad)["code"] == -32602


# -- prompts -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_prompts_list(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "prompts/list"))
    assert result["prompts"] == [
        {"name": "greet", "title": "Greeting", "description": "Greet someone.", "icons": ICONS,
         "arguments": [{"name": "name", "required": True},
                       {"name": "tone", "required": False}]},
        {"name": "conversation", "description": "",
         "arguments": [{"name": "topic", "required": True}]},
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
async def test_prompts_get(dispatcher: Dispatcher, era: Era, version: str) -> None:
    result = ok(await call(dispatcher, "prompts/get",
                           {"name": "greet", "arguments": {"name": "Ann", "tone": "dry"}},
                           era=era, version=version))
    assert result["description"] == "Greet someone."
    assert result["messages"] == [{"role": "user",
                                   "content": {"type": "text", "text": "Hello Ann (dry)"}}]


@pytest.mark.asyncio
async def test_prompts_get_message_list(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "prompts/get",
                           {"name": "conversation", "arguments": {"topic": "MCP"}}))
    assert result["messages"] == [
        {"role": "user", "content": {"type": "text", "text": "Tell me about MCP"}},
        {"role": "assistant", "content": {"type": "text", "text": "Sure."}},
    ]
    assert "description" not in result


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"name": "greet", "arguments": {"tone": "x"}}, id="missing-required-arg"),
        pytest.param({"name": "greet"}, id="no-arguments"),
        pytest.param({"name": "nope"}, id="unknown-prompt"),
        pytest.param({"name": 3}, id="name-not-string"),
        pytest.param({"name": "greet", "arguments": ["Ann"]}, id="arguments-not-object"),
    ],
)
async def test_prompts_get_bad_request_is_invalid_params(
    dispatcher: Dispatcher, era: Era, version: str, params: dict[str, Any]
) -> None:
    """L-68: unknown name or missing required argument → -32602."""
    reply = await call(dispatcher, "prompts/get", params, era=era, version=version)
    assert reply.status == 200
    error = failed(reply)
    assert error["code"] == -32602
    if params.get("arguments") == {"tone": "x"}:
        assert "name" in error["message"]


# -- completion --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_completion_for_prompt_argument(dispatcher: Dispatcher) -> None:
    """L-58: {completion: {values, total, hasMore}}."""
    result = ok(await call(dispatcher, "completion/complete",
                           {"ref": {"type": "ref/prompt", "name": "greet"},
                            "argument": {"name": "name", "value": "al"}}))
    assert result["completion"] == {"values": ["alice", "alfred"], "total": 2, "hasMore": False}


@pytest.mark.asyncio
async def test_completion_for_resource_template_caps_at_100(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "completion/complete",
                           {"ref": {"type": "ref/resource", "uri": "app://items/{id}"},
                            "argument": {"name": "id", "value": "7"},
                            "context": {"arguments": {"other": "x"}}}))
    completion = result["completion"]
    assert len(completion["values"]) == 100
    assert completion["values"][0] == "id=70"
    assert completion["total"] == 151
    assert completion["hasMore"] is True


@pytest.mark.asyncio
async def test_completion_passes_context_arguments() -> None:
    registry = Registry()
    registry.prompt(greet)
    seen: list[Any] = []

    def handler(argument: str, value: str, context: dict[str, Any]) -> list[str]:
        seen.append((argument, value, context))
        return []

    registry.completion(prompt="greet")(handler)
    await call(make_dispatcher(registry), "completion/complete",
               {"ref": {"type": "ref/prompt", "name": "greet"},
                "argument": {"name": "tone", "value": "w"},
                "context": {"arguments": {"name": "Ann"}}})
    await call(make_dispatcher(registry), "completion/complete",
               {"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "tone"}})
    assert seen == [("tone", "w", {"name": "Ann"}), ("tone", "", {})]


@pytest.mark.asyncio
async def test_completion_without_handler_is_empty(dispatcher: Dispatcher) -> None:
    result = ok(await call(dispatcher, "completion/complete",
                           {"ref": {"type": "ref/prompt", "name": "conversation"},
                            "argument": {"name": "topic", "value": "x"}}))
    assert result["completion"] == {"values": [], "total": 0, "hasMore": False}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"ref": {"type": "ref/prompt", "name": "nope"},
                      "argument": {"name": "a", "value": ""}}, id="L-58-unknown-prompt"),
        pytest.param({"ref": {"type": "ref/resource", "uri": "app://nope/{x}"},
                      "argument": {"name": "x", "value": ""}}, id="unknown-resource"),
        pytest.param({"ref": {"type": "ref/tool", "name": "add"},
                      "argument": {"name": "a", "value": ""}}, id="unknown-ref-type"),
        pytest.param({"ref": "greet", "argument": {"name": "a"}}, id="ref-not-object"),
        pytest.param({"ref": {"type": "ref/prompt", "name": "greet"}}, id="argument-missing"),
    ],
)
async def test_completion_bad_request_is_invalid_params(
    dispatcher: Dispatcher, params: dict[str, Any]
) -> None:
    assert failed(await call(dispatcher, "completion/complete", params))["code"] == -32602


# -- lifecycle ---------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("requested", "answered"),
    [
        pytest.param("2026-07-28", "2025-11-25", id="V-16-modern-request"),
        pytest.param("1900-01-01", "2025-11-25", id="V-16-unknown"),
        pytest.param(None, "2025-11-25", id="missing"),
        pytest.param("2025-06-18", "2025-06-18", id="L-24-echo-06-18"),
        pytest.param("2025-03-26", "2025-03-26", id="L-24-echo-03-26"),
        pytest.param("2025-11-25", "2025-11-25", id="L-24-echo-11-25"),
    ],
)
async def test_initialize_negotiates_version(requested: Any, answered: str) -> None:
    """L-23, L-24, V-16."""
    dispatcher = make_dispatcher(instructions="Be nice.")
    params = {"protocolVersion": requested, "capabilities": {},
              "clientInfo": {"name": "c", "version": "1"}}
    result = ok(await call(dispatcher, "initialize", params, era=Era.LEGACY, version=answered))
    assert result["protocolVersion"] == answered
    assert result["serverInfo"]["name"] == "mcp-django"
    assert result["instructions"] == "Be nice."
    assert result["capabilities"]["tools"] == {"listChanged": True}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("version", "keys"),
    [
        pytest.param("2025-03-26", {"name", "version"}, id="03-26"),
        pytest.param("2025-06-18", {"name", "version", "title"}, id="06-18"),
        pytest.param("2025-11-25", {"name", "version", "title", "description", "websiteUrl",
                                    "icons"}, id="11-25"),
    ],
)
async def test_initialize_server_info_fields_per_revision(version: str, keys: set[str]) -> None:
    """L-23: serverInfo.title from 06-18, icons/websiteUrl/description from 11-25."""
    dispatcher = make_dispatcher(title="T", description="D", website_url="https://x.example",
                                 icons=tuple(ICONS))
    result = ok(await call(dispatcher, "initialize", {"protocolVersion": version},
                           era=Era.LEGACY, version=version))
    assert set(result["serverInfo"]) == keys


@pytest.mark.asyncio
async def test_initialize_capabilities_follow_registry() -> None:
    """V-24 (legacy twin): prompts/completions/resources only when something is registered."""
    empty = ok(await call(make_dispatcher(Registry()), "initialize",
                          {"protocolVersion": "2025-11-25"}, era=Era.LEGACY))
    assert empty["capabilities"] == {"tools": {"listChanged": True}, "logging": {}}
    assert "instructions" not in empty
    full = ok(await call(make_dispatcher(), "initialize", {"protocolVersion": "2025-11-25"},
                         era=Era.LEGACY))
    assert full["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}
    assert full["capabilities"]["prompts"] == {"listChanged": True}
    assert full["capabilities"]["completions"] == {}


@pytest.mark.asyncio
async def test_initialize_twice_is_invalid_request() -> None:
    """L-22: initialize on a live session → -32600."""
    reply = await call(make_dispatcher(), "initialize", {"protocolVersion": "2025-11-25"},
                       era=Era.LEGACY, session=object())
    assert failed(reply)["code"] == -32600


@pytest.mark.asyncio
async def test_ping_returns_empty_object(dispatcher: Dispatcher) -> None:
    """L-50."""
    assert ok(await call(dispatcher, "ping", era=Era.LEGACY)) == {}


@pytest.mark.asyncio
async def test_set_level_updates_context_and_session() -> None:
    """L-53: logging/setLevel → {}; unknown level → -32602."""
    levels: list[str] = []

    class Session:
        async def set_log_level(self, level: str) -> None:
            levels.append(level)

    dispatcher = make_dispatcher()
    ctx = Context(1, "logging/setLevel", Era.LEGACY, "2025-11-25", {"level": "warning"},
                  session=Session())
    reply = await dispatcher.handle(JsonRpcRequest(1, "logging/setLevel", {"level": "warning"}),
                                    ctx)
    assert ok(reply) == {}
    assert ctx.log_level == "warning"
    assert levels == ["warning"]
    for bad in ("verbose", None, 3):
        assert failed(await call(dispatcher, "logging/setLevel", {"level": bad},
                                 era=Era.LEGACY))["code"] == -32602


@pytest.mark.asyncio
async def test_server_discover(dispatcher: Dispatcher) -> None:
    """V-22, V-7, V-24: supported versions modern first, capabilities match handlers."""
    result = ok(await call(dispatcher, "server/discover"))
    assert result["supportedVersions"] == ["2026-07-28", "2025-11-25", "2025-06-18",
                                           "2025-03-26"]
    assert result["capabilities"]["prompts"] == {"listChanged": True}
    assert result["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}
    assert result["serverInfo"] == {"name": "srv", "version": "9.9", "title": "Server"}
    assert result["resultType"] == "complete"
    assert "instructions" not in result


@pytest.mark.asyncio
async def test_server_discover_without_prompts_and_with_extensions() -> None:
    """V-24/S-68: no prompts capability without prompts; extensions come from options."""
    registry = Registry()
    registry.tool(echo)
    dispatcher = make_dispatcher(registry, instructions="Hi",
                                 extra_capabilities={"extensions": {"x.example/y": {}}})
    result = ok(await call(dispatcher, "server/discover"))
    assert "prompts" not in result["capabilities"]
    assert "resources" not in result["capabilities"]
    assert "completions" not in result["capabilities"]
    assert result["capabilities"]["extensions"] == {"x.example/y": {}}
    assert result["instructions"] == "Hi"


# -- error mapping -----------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(("era", "version"), LEGACY_AND_MODERN)
@pytest.mark.parametrize(("method", "params"), [
    pytest.param("resources/read", {"uri": "app://broken"}, id="resource"),
])
async def test_internal_error_hides_details_by_default(
    dispatcher: Dispatcher, era: Era, version: str, method: str, params: dict[str, Any]
) -> None:
    reply = await call(dispatcher, method, params, era=era, version=version, request_id=9)
    assert reply.status == 200
    assert reply.message == {"jsonrpc": "2.0", "id": 9,
                             "error": {"code": -32603, "message": "Internal error"}}
    assert SECRET.encode() not in dump(reply.message)


@pytest.mark.asyncio
async def test_internal_error_shows_details_when_exposed() -> None:
    dispatcher = make_dispatcher(expose_error_details=True)
    error = failed(await call(dispatcher, "resources/read", {"uri": "app://broken"}))
    assert error["code"] == -32603
    assert SECRET in error["message"]


@pytest.mark.parametrize(
    ("exc", "era", "code", "status"),
    [
        pytest.param(InvalidParams(), Era.MODERN, -32602, 200, id="invalid-params-modern"),
        pytest.param(InvalidMeta(), Era.MODERN, -32602, 400, id="V-9-invalid-meta-modern"),
        pytest.param(HeaderMismatch(), Era.MODERN, -32020, 400, id="S-32-header-mismatch"),
        pytest.param(MissingCapability({}), Era.MODERN, -32021, 400, id="S-32-capability"),
        pytest.param(UnsupportedVersion("x", []), Era.MODERN, -32022, 400, id="S-32-version"),
        pytest.param(InvalidRequest(), Era.MODERN, -32600, 400, id="invalid-request-modern"),
        pytest.param(ResourceNotFound("u"), Era.MODERN, -32602, 200, id="C-8-not-found-modern"),
        pytest.param(ResourceNotFound("u"), Era.LEGACY, -32002, 200, id="C-8-not-found-legacy"),
        pytest.param(MissingCapability({}), Era.LEGACY, -32021, 200, id="legacy-always-200"),
        pytest.param(InvalidRequest(), Era.LEGACY, -32600, 200, id="legacy-invalid-request"),
        pytest.param(ValueError("boom"), Era.MODERN, -32603, 200, id="unknown-modern"),
        pytest.param(KeyError("k"), Era.LEGACY, -32603, 200, id="unknown-legacy"),
    ],
)
def test_error_for_maps_code_and_status(exc: Exception, era: Era, code: int, status: int
                                        ) -> None:
    error, http_status = make_dispatcher(Registry()).error_for(exc, era)
    assert error.code == code
    assert http_status == status
