"""Tasks in the pure core: extension checks, legacy `task` params, routing and capabilities."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_django.core.context import Context
from mcp_django.core.dispatcher import Dispatcher
from mcp_django.core.errors import (
    ConfigError,
    InvalidParams,
    McpError,
    MethodNotFound,
    MissingCapability,
)
from mcp_django.core.methods import lifecycle
from mcp_django.core.tasks import (
    TASKS_EXTENSION,
    TERMINAL,
    TaskLimitReached,
    declares_tasks,
    legacy_task_param,
    requested_ttl,
    require_tasks,
)
from mcp_django.core.versions import FEATURES, Era
from mcp_django.registry import Registry, ToolSpec
from tests.core.test_dispatcher import MODERN, call, failed, make_dispatcher, ok, only_text

WITH_TASKS = {"extensions": {TASKS_EXTENSION: {}}}


class FakeTasks:
    """A TaskBackend recording what the dispatcher hands it."""

    def __init__(self, capability: dict[str, Any] | None = None) -> None:
        self.calls: list[tuple[Context, ToolSpec, dict[str, Any]]] = []
        self.legacy: list[tuple[Context, ToolSpec, dict[str, Any], dict[str, Any]]] = []
        self.capability = capability or {"list": {}, "cancel": {},
                                         "requests": {"tools": {"call": {}}}}

    def legacy_capability(self) -> dict[str, Any]:
        return self.capability

    async def call(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any]
                   ) -> dict[str, Any]:
        self.calls.append((ctx, spec, kwargs))
        return {"resultType": "task", "task": {"taskId": "t1", "status": "working"}}

    async def call_legacy(self, ctx: Context, spec: ToolSpec, kwargs: dict[str, Any],
                          task: dict[str, Any]) -> dict[str, Any]:
        self.legacy.append((ctx, spec, kwargs, task))
        return {"task": {"taskId": "t2", "status": "working"}}


def plain(n: int) -> str:
    return str(n * 2)


def optional(n: int) -> str:
    return str(n + 1)


def required(n: int) -> str:
    return str(n - 1)


def build_registry() -> Registry:
    registry = Registry()
    registry.tool(plain)
    registry.tool(task="optional")(optional)
    registry.tool(task="required")(required)
    return registry


@pytest.fixture
def backend() -> FakeTasks:
    return FakeTasks()


@pytest.fixture
def dispatcher(backend: FakeTasks) -> Dispatcher:
    server = make_dispatcher(build_registry())
    server.tasks = backend
    return server


def ctx_with(capabilities: dict[str, Any]) -> Context:
    return Context(1, "tools/call", Era.MODERN, MODERN, {}, client_capabilities=capabilities)


def spec(task: str | None) -> ToolSpec:
    return ToolSpec.build(plain, task=task)


# -- constants ---------------------------------------------------------------------------------


def test_constants() -> None:
    assert TASKS_EXTENSION == "io.modelcontextprotocol/tasks"
    assert set(TERMINAL) == {"completed", "failed", "cancelled"}
    assert FEATURES["tasks"] == ("2025-11-25", None)


# -- declares_tasks / require_tasks ------------------------------------------------------------


@pytest.mark.parametrize(("capabilities", "expected"), [
    (WITH_TASKS, True),
    ({"extensions": {TASKS_EXTENSION: {}, "x.example/y": {}}}, True),
    ({}, False),
    ({"tasks": {"requests": {"tools": {"call": {}}}}}, False),  # legacy capability
    ({"extensions": {}}, False),
    ({"extensions": {"x.example/y": {}}}, False),
    ({"extensions": [TASKS_EXTENSION]}, False),
    ({"extensions": TASKS_EXTENSION}, False),
], ids=["ext", "ext-and-other", "none", "legacy-tasks", "empty-ext", "other-ext", "ext-list",
        "ext-str"])
def test_declares_tasks(capabilities: dict[str, Any], expected: bool) -> None:
    assert declares_tasks(ctx_with(capabilities)) is expected


def test_require_tasks_passes_when_declared() -> None:
    require_tasks(ctx_with(WITH_TASKS))


def test_require_tasks_names_the_extension() -> None:
    with pytest.raises(MissingCapability) as info:
        require_tasks(ctx_with({"tasks": {}}))
    assert info.value.code == -32021
    assert info.value.data == {"requiredCapabilities": {"extensions": {TASKS_EXTENSION: {}}}}
    assert "tasks extension" in info.value.message


# -- legacy_task_param -------------------------------------------------------------------------


def test_legacy_task_param_returns_the_task() -> None:
    task = {"ttl": 60000}
    assert legacy_task_param({"task": task}, spec("optional")) is task
    assert legacy_task_param({"task": {}}, spec("required")) == {}


@pytest.mark.parametrize("task", [None, "yes", ["ttl"], 1])
@pytest.mark.parametrize("support", [None, "optional"])
def test_legacy_task_param_absent_or_not_an_object_is_none(task: Any, support: str | None
                                                           ) -> None:
    params = {} if task is None else {"task": task}
    assert legacy_task_param(params, spec(support)) is None


@pytest.mark.parametrize("task", [None, "yes"])
def test_legacy_task_param_required_without_task_is_method_not_found(task: Any) -> None:
    with pytest.raises(MethodNotFound) as info:
        legacy_task_param({"task": task}, spec("required"))
    assert info.value.code == -32601
    assert "must be called as a task" in info.value.message


def test_legacy_task_param_on_a_tool_without_support_is_method_not_found() -> None:
    with pytest.raises(MethodNotFound) as info:
        legacy_task_param({"task": {"ttl": 1}}, spec(None))
    assert info.value.code == -32601
    assert "does not support" in info.value.message


@pytest.mark.parametrize("ttl", [True, False, 0, -1, 1.5, "60000", [1], {"ms": 1}],
                         ids=["true", "false", "zero", "negative", "float", "string", "list",
                              "object"])
def test_legacy_task_param_with_a_ttl_not_a_positive_integer_is_invalid_params(ttl: Any) -> None:
    """2025-11-25 utilities/tasks §Task Parameters: `ttl` is a duration in milliseconds."""
    with pytest.raises(InvalidParams) as info:
        legacy_task_param({"task": {"ttl": ttl}}, spec("optional"))
    assert info.value.code == -32602
    assert "params.task.ttl" in info.value.message


@pytest.mark.parametrize(("task", "expected"), [({}, None), ({"ttl": None}, None),
                                                ({"ttl": 1}, 1), ({"ttl": 10**15}, 10**15)])
def test_requested_ttl_is_none_or_the_positive_integer(task: dict[str, Any],
                                                       expected: int | None) -> None:
    assert requested_ttl(task) == expected  # the runner caps it at TASK_TTL_MS


def test_task_limit_reached_names_the_setting_and_limit() -> None:
    error = TaskLimitReached(20).to_error()
    assert error["code"] == -32000
    assert "TASKS_PER_PRINCIPAL" in error["message"]
    assert error["data"] == {"setting": "TASKS_PER_PRINCIPAL", "limit": 20}


# -- routing: modern ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["optional", "required"])
async def test_modern_task_tool_with_extension_goes_to_backend(
        dispatcher: Dispatcher, backend: FakeTasks, name: str) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": name, "arguments": {"n": "5"}},
                           client_capabilities=WITH_TASKS))
    assert result["resultType"] == "task"
    assert result["task"]["taskId"] == "t1"
    [(ctx, seen_spec, kwargs)] = backend.calls
    assert seen_spec.name == name
    assert kwargs == {"n": 5}  # validated arguments
    assert ctx.method == "tools/call"
    assert backend.legacy == []


@pytest.mark.asyncio
async def test_modern_optional_tool_without_extension_runs_inline(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": "optional", "arguments": {"n": 5}},
                           client_capabilities={"tasks": {}}))
    assert result["resultType"] == "complete"
    assert only_text(result) == "6"
    assert backend.calls == []


@pytest.mark.asyncio
@pytest.mark.parametrize("capabilities", [{}, {"tasks": {"requests": {}}},
                                          {"extensions": {"x.example/y": {}}}])
async def test_modern_required_tool_without_extension_is_missing_capability(
        dispatcher: Dispatcher, backend: FakeTasks, capabilities: dict[str, Any]) -> None:
    reply = await call(dispatcher, "tools/call", {"name": "required", "arguments": {"n": 5}},
                       client_capabilities=capabilities)
    error = failed(reply)
    assert error["code"] == -32021
    assert error["data"]["requiredCapabilities"]["extensions"] == {TASKS_EXTENSION: {}}
    assert reply.status == 400
    assert backend.calls == []


@pytest.mark.asyncio
async def test_modern_plain_tool_with_extension_runs_inline(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": "plain", "arguments": {"n": 5}},
                           client_capabilities=WITH_TASKS))
    assert only_text(result) == "10"
    assert backend.calls == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "expected"), [("plain", "10"), ("optional", "6")])
async def test_modern_task_param_is_ignored(dispatcher: Dispatcher, backend: FakeTasks,
                                            name: str, expected: str) -> None:
    """S-58: the 2025-11-25 `task` param means nothing in a modern request."""
    result = ok(await call(dispatcher, "tools/call",
                           {"name": name, "arguments": {"n": 5}, "task": {"ttl": 1000}}))
    assert only_text(result) == expected
    assert backend.calls == backend.legacy == []


@pytest.mark.asyncio
async def test_modern_task_param_with_extension_uses_the_modern_backend(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    ok(await call(dispatcher, "tools/call",
                  {"name": "optional", "arguments": {"n": 5}, "task": {"ttl": 1000}},
                  client_capabilities=WITH_TASKS))
    assert len(backend.calls) == 1
    assert backend.legacy == []


@pytest.mark.asyncio
async def test_invalid_arguments_are_reported_before_any_task(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": "required",
                                                      "arguments": {"n": "five"}},
                           client_capabilities=WITH_TASKS))
    assert result["isError"] is True
    assert backend.calls == []


@pytest.mark.asyncio
async def test_without_backend_task_tools_run_inline() -> None:
    server = make_dispatcher(build_registry())
    result = ok(await call(server, "tools/call", {"name": "required", "arguments": {"n": 5}},
                           client_capabilities=WITH_TASKS))
    assert only_text(result) == "4"
    legacy = ok(await call(server, "tools/call", {"name": "required", "arguments": {"n": 5}},
                           era=Era.LEGACY, version="2025-11-25"))
    assert only_text(legacy) == "4"


# -- routing: legacy ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["optional", "required"])
async def test_legacy_task_param_goes_to_call_legacy(dispatcher: Dispatcher, backend: FakeTasks,
                                                     name: str) -> None:
    task = {"ttl": 60000}
    result = ok(await call(dispatcher, "tools/call",
                           {"name": name, "arguments": {"n": 3}, "task": task},
                           era=Era.LEGACY, version="2025-11-25"))
    assert result == {"task": {"taskId": "t2", "status": "working"}}
    [(ctx, seen_spec, kwargs, seen_task)] = backend.legacy
    assert seen_spec.name == name
    assert kwargs == {"n": 3}
    assert seen_task == task
    assert ctx.era is Era.LEGACY
    assert backend.calls == []


@pytest.mark.asyncio
async def test_legacy_optional_tool_without_task_runs_inline(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    result = ok(await call(dispatcher, "tools/call", {"name": "optional", "arguments": {"n": 3}},
                           era=Era.LEGACY, version="2025-11-25",
                           client_capabilities=WITH_TASKS))
    assert only_text(result) == "4"
    assert backend.calls == backend.legacy == []


@pytest.mark.asyncio
async def test_legacy_required_tool_without_task_is_method_not_found(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    reply = await call(dispatcher, "tools/call", {"name": "required", "arguments": {"n": 3}},
                       era=Era.LEGACY, version="2025-11-25")
    assert failed(reply)["code"] == -32601
    assert reply.status == 200
    assert backend.legacy == []


@pytest.mark.asyncio
async def test_legacy_task_on_a_plain_tool_is_method_not_found(
        dispatcher: Dispatcher, backend: FakeTasks) -> None:
    reply = await call(dispatcher, "tools/call",
                       {"name": "plain", "arguments": {"n": 3}, "task": {}},
                       era=Era.LEGACY, version="2025-11-25")
    assert failed(reply)["code"] == -32601
    assert backend.legacy == []


@pytest.mark.asyncio
@pytest.mark.parametrize("version", ["2025-06-18", "2025-03-26"])
@pytest.mark.parametrize("name", ["plain", "optional", "required"])
async def test_older_legacy_revisions_ignore_tasks(dispatcher: Dispatcher, backend: FakeTasks,
                                                   version: str, name: str) -> None:
    result = ok(await call(dispatcher, "tools/call",
                           {"name": name, "arguments": {"n": 3}, "task": {"ttl": 1}},
                           era=Era.LEGACY, version=version))
    assert result["isError"] is False
    assert backend.calls == backend.legacy == []


# -- capabilities and tools/list shaping -------------------------------------------------------


def test_capabilities_with_tasks_modern(dispatcher: Dispatcher) -> None:
    caps = dispatcher.capabilities(Era.MODERN, MODERN)
    assert caps["extensions"] == {TASKS_EXTENSION: {}}
    assert "tasks" not in caps


def test_capabilities_with_tasks_legacy_2025_11_25(dispatcher: Dispatcher) -> None:
    caps = dispatcher.capabilities(Era.LEGACY, "2025-11-25")
    assert caps["tasks"] == {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
    assert "extensions" not in caps


def test_capabilities_legacy_tasks_come_from_the_backend() -> None:
    """A backend that cannot scope tasks/list for every caller does not advertise it."""
    server = make_dispatcher(build_registry())
    server.tasks = FakeTasks({"cancel": {}, "requests": {"tools": {"call": {}}}})
    caps = server.capabilities(Era.LEGACY, "2025-11-25")
    assert caps["tasks"] == {"cancel": {}, "requests": {"tools": {"call": {}}}}


@pytest.mark.parametrize("version", ["2025-06-18", "2025-03-26"])
def test_capabilities_with_tasks_older_legacy(dispatcher: Dispatcher, version: str) -> None:
    caps = dispatcher.capabilities(Era.LEGACY, version)
    assert "tasks" not in caps
    assert "extensions" not in caps


@pytest.mark.parametrize(("era", "version"), [(Era.MODERN, MODERN), (Era.LEGACY, "2025-11-25")])
def test_capabilities_without_backend_have_no_tasks(era: Era, version: str) -> None:
    caps = make_dispatcher(build_registry()).capabilities(era, version)
    assert "tasks" not in caps
    assert "extensions" not in caps


def test_extra_extensions_keep_the_tasks_extension() -> None:
    server = make_dispatcher(build_registry(),
                             extra_capabilities={"extensions": {"x.example/y": {}}})
    server.tasks = FakeTasks()
    caps = server.capabilities(Era.MODERN, MODERN)
    assert caps["extensions"] == {TASKS_EXTENSION: {}, "x.example/y": {}}


@pytest.mark.asyncio
async def test_discover_and_initialize_advertise_tasks(dispatcher: Dispatcher) -> None:
    discovered = ok(await call(dispatcher, "server/discover"))
    assert discovered["capabilities"]["extensions"] == {TASKS_EXTENSION: {}}
    initialized = ok(await call(dispatcher, "initialize", {"protocolVersion": "2025-11-25"},
                                era=Era.LEGACY, version="2025-11-25"))
    assert "requests" in initialized["capabilities"]["tasks"]
    older = ok(await call(dispatcher, "initialize", {"protocolVersion": "2025-06-18"},
                          era=Era.LEGACY, version="2025-06-18"))
    assert "tasks" not in older["capabilities"]


@pytest.mark.asyncio
async def test_modern_tools_list_strips_execution(dispatcher: Dispatcher) -> None:
    tools = ok(await call(dispatcher, "tools/list"))["tools"]
    assert {t["name"] for t in tools} == {"plain", "optional", "required"}
    assert all("execution" not in t for t in tools)
    assert all("inputSchema" in t for t in tools)


@pytest.mark.asyncio
async def test_legacy_2025_11_25_tools_list_keeps_execution(dispatcher: Dispatcher) -> None:
    tools = ok(await call(dispatcher, "tools/list", era=Era.LEGACY, version="2025-11-25"))["tools"]
    by_name = {t["name"]: t for t in tools}
    assert by_name["optional"]["execution"] == {"taskSupport": "optional"}
    assert by_name["required"]["execution"] == {"taskSupport": "required"}
    assert "execution" not in by_name["plain"]


@pytest.mark.asyncio
async def test_legacy_2025_06_18_tools_list_drops_execution(dispatcher: Dispatcher) -> None:
    tools = ok(await call(dispatcher, "tools/list", era=Era.LEGACY, version="2025-06-18"))["tools"]
    assert all("execution" not in t for t in tools)


# -- registry: task option ---------------------------------------------------------------------


@pytest.mark.parametrize("task", ["always", True, "Optional"])
def test_tool_task_option_must_be_known(task: Any) -> None:
    with pytest.raises(ConfigError, match="task must be one of"):
        ToolSpec.build(plain, task=task)


@pytest.mark.parametrize("task", [None, "optional", "required"])
def test_tool_task_option(task: str | None) -> None:
    built = ToolSpec.build(plain, task=task)
    assert built.task == task
    definition = built.definition()
    if task is None:
        assert "execution" not in definition
    else:
        assert definition["execution"] == {"taskSupport": task}


# -- errors and lifecycle odds and ends --------------------------------------------------------


def test_error_code_override() -> None:
    replayed = InvalidParams("recorded", {"k": 1}, code=-32099)
    assert replayed.code == -32099
    assert replayed.to_error() == {"code": -32099, "message": "recorded", "data": {"k": 1}}
    assert InvalidParams().code == -32602  # the class default is untouched
    assert McpError(code=None).code == -32603


@pytest.mark.asyncio
async def test_set_level_without_session_sets_the_context_level() -> None:
    ctx = Context(1, "logging/setLevel", Era.LEGACY, "2025-06-18", {"level": "warning"})
    assert await lifecycle.set_level(make_dispatcher(), ctx, {"level": "warning"}) == {}
    assert ctx.log_level == "warning"
