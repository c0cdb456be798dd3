"""Callable signature → pydantic argument model, input/output JSON Schema, context parameter."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from ..core.context import Context
from ..core.errors import ConfigError

_UNSTRUCTURED = (str, type(None))


def header_param(header: str, **field_kwargs: Any) -> Any:
    """Mark a parameter to be mirrored in an `Mcp-Param-<header>` HTTP header (2026-07-28).

    `region: Annotated[str, header_param("Region")]`
    """
    return Field(json_schema_extra={"x-mcp-header": header}, **field_kwargs)


@dataclass(frozen=True)
class Signature:
    arg_model: type[BaseModel]
    input_schema: dict[str, Any]
    context_param: str | None
    output_adapter: TypeAdapter[Any] | None
    output_schema: dict[str, Any] | None
    wrap_output: bool
    is_async: bool

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Validated keyword arguments; raises pydantic `ValidationError`."""
        model = self.arg_model.model_validate(arguments)
        return {name: getattr(model, name) for name in self.arg_model.model_fields}

    def structured(self, value: Any) -> Any:
        """The `structuredContent` for a return value, or None for unstructured output."""
        if self.output_adapter is None:
            return None
        data = self.output_adapter.dump_python(value, mode="json")
        return {"result": data} if self.wrap_output else data


def inspect_callable(
    func: Callable[..., Any], model_name: str, structured_output: bool | None = None
) -> Signature:
    hints = typing.get_type_hints(func, include_extras=True)
    fields, context_param = _fields(func, hints)
    model = create_model(
        model_name, __config__=ConfigDict(arbitrary_types_allowed=False), **fields
    )
    schema = _input_schema(model)
    adapter, output_schema, wrap = _output(hints.get("return", inspect.Signature.empty),
                                           structured_output)
    return Signature(model, schema, context_param, adapter, output_schema, wrap,
                     inspect.iscoroutinefunction(func))


def _fields(func: Callable[..., Any], hints: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    fields: dict[str, Any] = {}
    context_param = None
    for name, param in inspect.signature(func).parameters.items():
        annotation = hints.get(name, Any)
        if _is_context(annotation):
            context_param = name
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ConfigError(f"{func.__qualname__}: *args/**kwargs cannot become MCP arguments")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[name] = (annotation, default)
    return fields, context_param


def _is_context(annotation: Any) -> bool:
    """`Context`, a subclass, or an optional one (`Context | None`)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_context(members[0])
    return inspect.isclass(annotation) and issubclass(annotation, Context)


def _input_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    schema.setdefault("properties", {})
    schema["type"] = "object"
    return schema


def _output(
    annotation: Any, structured_output: bool | None
) -> tuple[TypeAdapter[Any] | None, dict[str, Any] | None, bool]:
    if structured_output is False or annotation in (inspect.Signature.empty, Any):
        return None, None, False
    if structured_output is None and _is_unstructured(annotation):
        return None, None, False
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    schema = adapter.json_schema(mode="serialization")
    if schema.get("type") == "object":
        return adapter, schema, False
    wrapped = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
    defs = schema.pop("$defs", None)
    if defs:
        wrapped["$defs"] = defs
    return adapter, wrapped, True


def _is_unstructured(annotation: Any) -> bool:
    from .content import Content

    origin = typing.get_origin(annotation)
    if annotation in _UNSTRUCTURED or annotation is Content:
        return True
    if origin in (list, tuple) and all(a is Content for a in typing.get_args(annotation)[:1]):
        return True
    unions = (typing.Union, types.UnionType)
    return origin in unions and all(_is_unstructured(a) for a in typing.get_args(annotation))


def field_errors(exc: ValidationError, whole: str, prefix: str = "") -> str:
    """`<prefix><field path>: <message>` for each error, `whole` naming an error of the whole
    value; no input values (they may be secrets)."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]) or whole
        parts.append(f"{prefix}{location}: {error['msg']}")
    return "; ".join(parts)


def validation_message(exc: ValidationError) -> str:
    """A safe, readable summary of argument errors, naming each field."""
    return "Invalid arguments: " + field_errors(exc, "arguments")
