"""prompts/list, prompts/get and completion/complete."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ...registry.prompts import to_messages
from ...registry.signature import validation_message
from ..context import Context
from ..errors import InvalidParams
from .pagination import list_result

if TYPE_CHECKING:
    from .host import Host

MAX_COMPLETIONS = 100


async def list_prompts(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return list_result(server, "prompts", list(server.registry.prompts.values()), params)


async def get_prompt(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    name = params["name"]
    spec = server.registry.prompts.get(name)
    if spec is None:
        raise InvalidParams(f"Unknown prompt: {name}")
    arguments = params.get("arguments") or {}
    try:
        kwargs = spec.signature.validate(arguments)
    except ValidationError as exc:
        raise InvalidParams(validation_message(exc)) from None
    value = await server.invoke(ctx, spec.func, spec.signature, kwargs)
    result: dict[str, Any] = {"messages": to_messages(value)}
    if spec.description:
        result["description"] = spec.description
    return result


async def complete(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ref, argument = params["ref"], params["argument"]
    key = _ref_key(server, ref)
    handler = server.registry.completions.get(key)
    values: list[str] = []
    if handler is not None:
        context = params.get("context") or {}
        produced = handler(argument.get("name"), argument.get("value", ""),
                           context.get("arguments") or {})
        values = list(await produced if inspect.isawaitable(produced) else produced)
    return {"completion": {"values": values[:MAX_COMPLETIONS], "total": len(values),
                           "hasMore": len(values) > MAX_COMPLETIONS}}


def _ref_key(server: Host, ref: dict[str, Any]) -> tuple[str, str]:
    kind = ref.get("type")
    if kind == "ref/prompt":
        name = ref.get("name")
        if name not in server.registry.prompts:
            raise InvalidParams(f"Unknown prompt: {name}")
        return kind, name
    if kind == "ref/resource":
        uri = ref.get("uri")
        if uri not in server.registry.templates and uri not in server.registry.resources:
            raise InvalidParams(f"Unknown resource: {uri}")
        return kind, uri
    raise InvalidParams(f"Unknown reference type {kind!r}")
