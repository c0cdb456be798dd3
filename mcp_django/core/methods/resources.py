"""resources/list, resources/templates/list, resources/read, resources/(un)subscribe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ...registry.content import ResourceContents, blob_contents, text_contents
from ..context import Context
from ..errors import InvalidParams, MethodNotFound, ResourceNotFound
from ..jsonrpc import dump
from .pagination import list_result

if TYPE_CHECKING:
    from ...registry.resources import ResourceSpec
    from .host import Host


async def list_resources(server: Host, ctx: Context, params: dict[str, Any]
                         ) -> dict[str, Any]:
    return list_result(server, "resources", list(server.registry.resources.values()), params)


async def list_templates(server: Host, ctx: Context, params: dict[str, Any]
                         ) -> dict[str, Any]:
    return list_result(server, "resourceTemplates", list(server.registry.templates.values()),
                       params)


async def read_resource(server: Host, ctx: Context, params: dict[str, Any]
                        ) -> dict[str, Any]:
    uri = params["uri"]
    if len(uri) > server.options.max_uri_length:
        raise InvalidParams(f"params.uri: longer than MAX_URI_LENGTH "
                            f"({server.options.max_uri_length} characters)")
    found = server.registry.find_resource(uri)
    if found is None:
        raise ResourceNotFound(uri)
    spec, variables = found
    try:
        kwargs = spec.signature.validate(variables)
    except ValidationError:
        raise ResourceNotFound(uri) from None
    try:
        value = await server.invoke(ctx, spec.func, spec.signature, kwargs)
    except ResourceNotFound:  # always name the URI as the client sent it
        raise ResourceNotFound(uri) from None
    if value is None:  # nothing there (a lookup that found nothing), not the JSON `null`
        raise ResourceNotFound(uri)
    contents = to_contents(spec, uri, value)
    return server.cacheable({"contents": contents}, ttl_ms=server.options.read_ttl_ms,
                            scope="private")


def to_contents(spec: ResourceSpec, uri: str, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, ResourceContents):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, ResourceContents) for v in value):
        return list(value)
    if isinstance(value, str):
        return [text_contents(uri, value, spec.mime_type or "text/plain")]
    if isinstance(value, (bytes, bytearray)):
        return [blob_contents(uri, bytes(value), spec.mime_type or "application/octet-stream")]
    return [text_contents(uri, dump(value).decode(), spec.mime_type or "application/json")]


async def subscribe(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    uri = _subscription_uri(server, ctx, params)
    await ctx.session.subscribe(uri)
    return {}


async def unsubscribe(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    uri = _subscription_uri(server, ctx, params)
    await ctx.session.unsubscribe(uri)
    return {}


def _subscription_uri(server: Host, ctx: Context, params: dict[str, Any]) -> str:
    if ctx.session is None:
        raise MethodNotFound("resources/subscribe needs a session")
    return str(params["uri"])
