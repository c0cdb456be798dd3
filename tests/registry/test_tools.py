"""ToolSpec and the registry's tool table: names, schemas, definitions, duplicates."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from mcp_django.core.context import Context
from mcp_django.core.errors import ConfigError
from mcp_django.core.headers import header_properties
from mcp_django.registry import Registry, header_param
from mcp_django.registry.tools import ToolSpec


class Result(BaseModel):
    ok: bool


def search(query: str, limit: int = 10) -> str:
    """
    Search the catalogue.
    """
    return query


def undocumented(x: int) -> Result:
    return Result(ok=True)


async def with_ctx(ctx: Context, q: str) -> str:
    return q


def regional(city: str, region: Annotated[str, header_param("Region")] = "eu",
             count: Annotated[int, header_param("X-Count")] = 1) -> str:
    return city


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a", id="one-char"),
        pytest.param("get_user", id="underscore"),
        pytest.param("get-user", id="dash"),
        pytest.param("admin.users.list", id="dots"),
        pytest.param("ABC123", id="upper-digits"),
        pytest.param("x" * 128, id="128-chars"),
        pytest.param("-._", id="only-punctuation"),
    ],
)
def test_valid_tool_names(name: str) -> None:
    """L-66: 1-128 of A-Z a-z 0-9 _ - ."""
    assert ToolSpec.build(search, name=name).name == name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("x" * 129, id="129-chars"),
        pytest.param("get user", id="space"),
        pytest.param("a/b", id="slash"),
        pytest.param("a:b", id="colon"),
        pytest.param("tool@x", id="at"),
        pytest.param("naïve", id="non-ascii"),
        pytest.param("\nname", id="leading-newline"),
        pytest.param("a,b", id="comma"),
    ],
)
def test_invalid_tool_names_are_config_errors(name: str) -> None:
    with pytest.raises(ConfigError, match="Invalid tool name"):
        ToolSpec.build(search, name=name)


@pytest.mark.parametrize("name", [pytest.param("name\n", id="trailing-newline"),
                                  pytest.param("x" * 128 + "\n", id="128-plus-newline")])
def test_tool_name_with_trailing_newline_is_config_error(name: str) -> None:
    with pytest.raises(ConfigError):
        ToolSpec.build(search, name=name)


def test_name_defaults_to_function_name() -> None:
    assert ToolSpec.build(search).name == "search"


# -- description and definition ----------------------------------------------------------------


def test_description_from_docstring_is_stripped() -> None:
    assert ToolSpec.build(search).description == "Search the catalogue."


def test_explicit_description_wins() -> None:
    assert ToolSpec.build(search, description="Find").description == "Find"


def test_definition_minimal() -> None:
    """L-60: name, description (string) and inputSchema with root type object."""
    definition = ToolSpec.build(with_ctx).definition()
    assert definition == {
        "name": "with_ctx",
        "description": "",
        "inputSchema": {"type": "object", "properties": {"q": {"title": "Q", "type": "string"}},
                        "required": ["q"]},
    }


def test_definition_full() -> None:
    icons = [{"src": "https://e.example/i.png"}]
    spec = ToolSpec.build(undocumented, name="undoc", title="Undocumented",
                          annotations={"readOnlyHint": True}, icons=icons,
                          meta={"x.example/k": 1})
    definition = spec.definition()
    assert definition["name"] == "undoc"
    assert definition["title"] == "Undocumented"
    assert definition["description"] == ""
    assert definition["annotations"] == {"readOnlyHint": True}
    assert definition["icons"] == icons
    assert definition["_meta"] == {"x.example/k": 1}
    assert definition["outputSchema"]["type"] == "object"
    assert definition["outputSchema"]["properties"]["ok"]["type"] == "boolean"


def test_definition_omits_output_schema_for_str() -> None:
    assert "outputSchema" not in ToolSpec.build(search).definition()


def test_input_schema_shape() -> None:
    schema = ToolSpec.build(search).definition()["inputSchema"]
    assert schema["type"] == "object"
    assert schema["required"] == ["query"]
    assert schema["properties"]["limit"] == {"default": 10, "title": "Limit", "type": "integer"}


def test_input_schema_override_replaces_schema_but_keeps_validation() -> None:
    override = {"type": "object", "properties": {"query": {"type": "string", "minLength": 1}},
                "required": ["query"], "additionalProperties": False}
    spec = ToolSpec.build(search, input_schema=override)
    assert spec.definition()["inputSchema"] == override
    assert spec.signature.validate({"query": "q"}) == {"query": "q", "limit": 10}


def test_header_param_is_in_the_input_schema() -> None:
    """S-25: `x-mcp-header` on the property, found by header_properties."""
    schema = ToolSpec.build(regional).definition()["inputSchema"]
    assert schema["properties"]["region"]["x-mcp-header"] == "Region"
    assert schema["properties"]["count"]["x-mcp-header"] == "X-Count"
    assert header_properties(schema) == {"region": ("region", "string"),
                                         "x-count": ("count", "integer")}


def test_structured_output_option() -> None:
    assert ToolSpec.build(undocumented, structured_output=False).signature.output_schema is None
    assert ToolSpec.build(search, structured_output=True).signature.output_schema is not None


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(TypeError):
        ToolSpec.build(search, colour="red")


# -- registry ----------------------------------------------------------------------------------


def test_decorator_forms_return_function_unchanged() -> None:
    registry = Registry()
    assert registry.tool(search) is search
    assert registry.tool(name="find", title="Find")(search) is search
    assert list(registry.tools) == ["search", "find"]
    assert registry.tools["find"].title == "Find"


def test_duplicate_tool_is_config_error_when_added_programmatically() -> None:
    """L-66: unique per server."""
    registry = Registry()
    registry.add_tool(ToolSpec.build(search))
    with pytest.raises(ConfigError, match="Duplicate tool 'search'"):
        registry.add_tool(ToolSpec.build(undocumented, name="search"))
    registry.add_tool(ToolSpec.build(search, name="Search"))  # names are case-sensitive
    assert list(registry.tools) == ["search", "Search"]


def test_duplicate_tool_is_recorded_naming_both_when_decorated_twice(caplog) -> None:
    registry = Registry()
    registry.tool(search)
    assert registry.tool(name="search")(undocumented) is undocumented
    [problem] = registry.problems
    assert problem.message == ("Duplicate tool 'search': tests.registry.test_tools.search and "
                               "tests.registry.test_tools.undocumented (the first is kept)")
    assert problem.id == "mcp_django.E004" and problem.obj is None and problem.hint
    assert registry.tools["search"].func is search
    assert [r.name for r in caplog.records] == ["mcp_django.registry"]


def test_invalid_name_is_recorded_when_decorated() -> None:
    registry = Registry()
    registry.tool(name="bad name")(search)
    [problem] = registry.problems
    assert problem.message.startswith("tests.registry.test_tools.search: Invalid tool name")
    assert registry.tools == {}


def test_registry_order_is_registration_order() -> None:
    """S-62: deterministic order."""
    registry = Registry()
    names = ["zeta", "alpha", "mid"]
    for name in names:
        registry.tool(name=name)(search)
    assert list(registry.tools) == names


def test_listeners_hear_tool_changes() -> None:
    registry = Registry()
    heard: list[str] = []
    registry.listeners.append(heard.append)
    registry.tool(search)
    registry.remove_tool("search")
    registry.remove_tool("search")
    assert heard == ["tools", "tools"]
    assert registry.tools == {}


@pytest.mark.parametrize("kwargs", [{}, {"prompt": "p", "resource": "r"}],
                         ids=["neither", "both"])
def test_completion_needs_exactly_one_target(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        Registry().completion(**kwargs)


def test_completion_registers_handler() -> None:
    registry = Registry()

    def handler(argument: str, value: str, context: dict[str, Any]) -> list[str]:
        return []

    assert registry.completion(prompt="p")(handler) is handler
    assert registry.completion(resource="app://{x}")(handler) is handler
    assert registry.completions == {("ref/prompt", "p"): handler,
                                    ("ref/resource", "app://{x}"): handler}
