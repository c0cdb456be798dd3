"""Callable → argument model, input/output JSON Schema and context parameter."""

from __future__ import annotations

from typing import Annotated, Any, Optional, Union

import jsonschema
import pytest
from pydantic import BaseModel, Field, ValidationError

from mcp_django.core.context import Context
from mcp_django.core.errors import ConfigError
from mcp_django.registry.content import Content
from mcp_django.registry.signature import header_param, inspect_callable, validation_message


class Point(BaseModel):
    x: int
    y: int = 0


class Shape(BaseModel):
    name: str
    points: list[Point]


class SubContext(Context):
    pass


def sig(func: Any, structured_output: bool | None = None) -> Any:
    return inspect_callable(func, f"{func.__name__}Model", structured_output)


# -- input side --------------------------------------------------------------------------------


def test_input_schema_is_object_with_required_and_no_title() -> None:
    """S-65/L-60: root type object; required lists parameters without defaults."""
    def f(a: int, b: str = "x", c: float | None = None) -> str:
        return ""

    schema = sig(f).input_schema
    assert schema["type"] == "object"
    assert "title" not in schema
    assert schema["required"] == ["a"]
    assert schema["properties"]["a"]["type"] == "integer"
    assert schema["properties"]["b"]["type"] == "string"
    assert schema["properties"]["b"]["default"] == "x"
    assert set(schema["properties"]) == {"a", "b", "c"}


def test_input_schema_without_parameters_has_empty_properties() -> None:
    def f() -> str:
        return ""

    schema = sig(f).input_schema
    assert schema["type"] == "object"
    assert schema["properties"] == {}
    assert "required" not in schema


def test_input_schema_with_model_parameter_keeps_defs() -> None:
    def f(shape: Shape) -> str:
        return ""

    schema = sig(f).input_schema
    assert "$defs" in schema
    jsonschema.validate({"shape": {"name": "n", "points": [{"x": 1}]}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"shape": {"name": "n", "points": [{"y": 1}]}}, schema)


def test_unannotated_parameter_accepts_anything() -> None:
    def f(value) -> str:  # type: ignore[no-untyped-def]
        return ""

    signature = sig(f)
    assert signature.input_schema["required"] == ["value"]
    assert signature.validate({"value": [1, {"a": None}]}) == {"value": [1, {"a": None}]}


@pytest.mark.parametrize("annotation", [Context, SubContext], ids=["Context", "subclass"])
def test_context_parameter_is_found_by_annotation_and_left_out_of_schema(
    annotation: type,
) -> None:
    def f(n: int, anything_named: Context) -> str:
        return ""

    f.__annotations__["anything_named"] = annotation
    signature = sig(f)
    assert signature.context_param == "anything_named"
    assert set(signature.input_schema["properties"]) == {"n"}
    assert set(signature.arg_model.model_fields) == {"n"}


def test_no_context_parameter() -> None:
    def f(n: int) -> str:
        return ""

    assert sig(f).context_param is None


@pytest.mark.parametrize("kind", ["args", "kwargs"])
def test_var_arguments_are_config_errors(kind: str) -> None:
    def with_args(*args: int) -> str:
        return ""

    def with_kwargs(**kwargs: int) -> str:
        return ""

    with pytest.raises(ConfigError, match=r"\*args/\*\*kwargs"):
        sig(with_args if kind == "args" else with_kwargs)


def test_is_async_detection() -> None:
    async def a() -> str:
        return ""

    def s() -> str:
        return ""

    assert sig(a).is_async is True
    assert sig(s).is_async is False


def test_header_param_puts_x_mcp_header_in_schema() -> None:
    """S-25/S-29: the property carries `x-mcp-header`."""
    def f(region: Annotated[str, header_param("Region", description="Where")],
          count: Annotated[int, header_param("Count")] = 1, other: str = "") -> str:
        return ""

    properties = sig(f).input_schema["properties"]
    assert properties["region"]["x-mcp-header"] == "Region"
    assert properties["region"]["description"] == "Where"
    assert properties["region"]["type"] == "string"
    assert properties["count"]["x-mcp-header"] == "Count"
    assert properties["count"]["default"] == 1
    assert "x-mcp-header" not in properties["other"]
    assert sig(f).input_schema["required"] == ["region"]


# -- validate ----------------------------------------------------------------------------------


def test_validate_returns_keyword_arguments_in_order() -> None:
    def f(a: int, p: Point, b: str = "d") -> str:
        return ""

    kwargs = sig(f).validate({"p": {"x": 3}, "a": "5", "ignored": 1})
    assert list(kwargs) == ["a", "p", "b"]
    assert kwargs["a"] == 5
    assert kwargs["p"] == Point(x=3)
    assert kwargs["b"] == "d"


def test_validate_raises_pydantic_validation_error() -> None:
    def f(a: int) -> str:
        return ""

    with pytest.raises(ValidationError):
        sig(f).validate({"a": "nope"})


def test_validation_message_names_every_field_and_hides_input() -> None:
    def f(a: int, p: Point, b: str) -> str:
        return ""

    with pytest.raises(ValidationError) as info:
        sig(f).validate({"a": "secret-value", "p": {"x": "also-secret"}})
    message = validation_message(info.value)
    assert message.startswith("Invalid arguments: ")
    assert "a: " in message
    assert "p.x: " in message
    assert "b: Field required" in message
    assert message.count("; ") == 2
    assert "secret" not in message


# -- output side -------------------------------------------------------------------------------


def returns_str() -> str:
    return ""


def returns_none() -> None:
    return None


def returns_content() -> Content:
    return Content(type="text", text="")


def returns_content_list() -> list[Content]:
    return []


def returns_optional_str() -> Optional[str]:  # noqa: UP045 - the typing.Union spelling
    return None


def returns_union_content() -> Union[str, Content]:  # noqa: UP007 - the typing.Union spelling
    return ""


def returns_pipe_optional_str() -> str | None:
    return None


def no_annotation():  # type: ignore[no-untyped-def]
    return 1


def returns_any() -> Any:
    return 1


@pytest.mark.parametrize(
    "func",
    [returns_str, returns_none, returns_content, returns_content_list, returns_optional_str,
     returns_union_content, no_annotation, returns_any],
    ids=lambda f: f.__name__,
)
def test_unstructured_return_types_have_no_output_schema(func: Any) -> None:
    signature = sig(func)
    assert signature.output_schema is None
    assert signature.output_adapter is None
    assert signature.structured("anything") is None


def test_pep604_optional_str_is_unstructured_like_optional() -> None:
    assert sig(returns_pipe_optional_str).output_schema is None


def returns_point() -> Point:
    return Point(x=1)


def returns_int() -> int:
    return 1


def returns_list_int() -> list[int]:
    return [1]


def returns_dict() -> dict[str, int]:
    return {}


def returns_points() -> list[Point]:
    return []


@pytest.mark.parametrize(
    ("func", "wrapped", "value", "structured"),
    [
        pytest.param(returns_point, False, Point(x=1, y=2), {"x": 1, "y": 2}, id="model"),
        pytest.param(returns_dict, False, {"a": 1}, {"a": 1}, id="dict"),
        pytest.param(returns_int, True, 5, {"result": 5}, id="int"),
        pytest.param(returns_list_int, True, [1, 2], {"result": [1, 2]}, id="list-int"),
        pytest.param(returns_points, True, [Point(x=1)], {"result": [{"x": 1, "y": 0}]},
                     id="list-model"),
    ],
)
def test_structured_return_types(func: Any, wrapped: bool, value: Any, structured: Any) -> None:
    """L-62/C-17: object root for every output schema; scalars and arrays are wrapped."""
    signature = sig(func)
    schema = signature.output_schema
    assert schema["type"] == "object"
    assert signature.wrap_output is wrapped
    if wrapped:
        assert schema["required"] == ["result"]
        assert set(schema["properties"]) == {"result"}
    assert signature.structured(value) == structured
    jsonschema.validate(structured, schema)


def test_wrapped_schema_moves_defs_to_root() -> None:
    schema = sig(returns_points).output_schema
    assert "$defs" in schema
    assert "Point" in schema["$defs"]
    assert "$defs" not in schema["properties"]["result"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"result": [{"y": 1}]}, schema)


def test_int_output_schema_exact() -> None:
    assert sig(returns_int).output_schema == {
        "type": "object", "properties": {"result": {"type": "integer"}}, "required": ["result"]}


def test_model_output_schema_is_the_model_schema() -> None:
    assert sig(returns_point).output_schema == Point.model_json_schema(mode="serialization")


def test_structured_output_false_disables_schema() -> None:
    signature = sig(returns_int, structured_output=False)
    assert signature.output_schema is None
    assert signature.structured(1) is None


def test_structured_output_true_forces_schema_for_str() -> None:
    signature = sig(returns_str, structured_output=True)
    assert signature.output_schema == {
        "type": "object", "properties": {"result": {"type": "string"}}, "required": ["result"]}
    assert signature.structured("hi") == {"result": "hi"}


def test_field_description_in_input_schema() -> None:
    def f(q: Annotated[str, Field(description="Search text")]) -> str:
        return ""

    assert sig(f).input_schema["properties"]["q"]["description"] == "Search text"


def test_optional_context_parameter_is_the_context() -> None:
    from mcp_django.registry.signature import inspect_callable

    def tool_with_optional_ctx(x: int, ctx: Context | None = None) -> int:
        return x

    signature = inspect_callable(tool_with_optional_ctx, "T")
    assert signature.context_param == "ctx"
    assert list(signature.input_schema["properties"]) == ["x"]
