"""Hostile params get -32602 naming the field; caller-dependent results are `private`."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_django.core.errors import ResourceNotFound
from mcp_django.registry.base import Registry
from tests.core.test_dispatcher import call, failed, make_dispatcher, ok

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(("params", "field"), [
    ({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "who", "value": 3}},
     "params.argument.value"),
    ({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "who"},
      "context": "everything"}, "params.context"),
    ({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "who"},
      "context": {"arguments": {"who": ["a"]}}}, "params.context.arguments.who"),
    ({"ref": "greet", "argument": {"name": "who"}}, "params.ref"),
    ({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"value": "x"}},
     "params.argument.name"),
])
async def test_completion_with_mistyped_params_is_invalid_params(params: dict[str, Any],
                                                                 field: str) -> None:
    error = failed(await call(make_dispatcher(), "completion/complete", params))
    assert error["code"] == -32602 and field in error["message"], error


@pytest.mark.parametrize(("method", "params", "field"), [
    ("tools/call", {"name": 7}, "params.name"),
    ("tools/call", {"name": "add", "arguments": [1, 2]}, "params.arguments"),
    ("resources/read", {"uri": {"$ref": "x"}}, "params.uri"),
    ("prompts/get", {}, "params.name"),
    ("tools/list", {"cursor": 12}, "params.cursor"),
    ("tools/call", {"name": "add", "requestState": 5}, "params.requestState"),
    ("tools/call", {"name": "add", "inputResponses": "yes"}, "params.inputResponses"),
])
async def test_mistyped_params_name_the_field(method: str, params: dict[str, Any],
                                              field: str) -> None:
    error = failed(await call(make_dispatcher(), method, params))
    assert error["code"] == -32602 and field in error["message"], error


def guarded_registry() -> Registry:
    registry = Registry()

    @registry.tool
    def open_tool() -> str:
        return "hi"

    @registry.tool(permissions=["app.change_thing"])
    def guarded_tool() -> str:
        return "secret"

    return registry


async def test_a_tool_list_filtered_by_permission_is_private() -> None:
    result = ok(await call(make_dispatcher(guarded_registry()), "tools/list"))
    assert result["cacheScope"] == "private"


async def test_a_tool_list_the_same_for_everyone_is_public() -> None:
    result = ok(await call(make_dispatcher(), "tools/list"))
    assert result["cacheScope"] == "public"


async def test_resource_not_found_names_the_uri_as_requested() -> None:
    registry = Registry()

    @registry.resource("app://things/{id}")
    def thing(id: str) -> str:
        raise ResourceNotFound(f"app://things/{id.lower()}")  # a normalised form

    error = failed(await call(make_dispatcher(registry), "resources/read",
                              {"uri": "app://things/ABC%20D"}))
    assert error["data"] == {"uri": "app://things/ABC%20D"}


async def test_a_resource_returning_none_is_not_found() -> None:
    registry = Registry()

    @registry.resource("app://maybe/{id}")
    def maybe(id: str) -> bytes | None:
        return None

    error = failed(await call(make_dispatcher(registry), "resources/read",
                              {"uri": "app://maybe/1"}))
    assert error["code"] == -32602 and error["data"] == {"uri": "app://maybe/1"}


async def test_a_prompt_returning_none_has_no_messages() -> None:
    registry = Registry()

    @registry.prompt
    def empty() -> None:
        return None

    result = ok(await call(make_dispatcher(registry), "prompts/get", {"name": "empty"}))
    assert result["messages"] == []


async def test_a_uri_longer_than_max_uri_length_is_refused_by_name() -> None:
    error = failed(await call(make_dispatcher(max_uri_length=20), "resources/read",
                              {"uri": "app://" + "x" * 20}))
    assert error["code"] == -32602 and "MAX_URI_LENGTH (20 characters)" in error["message"]
