"""initialize, ping, logging/setLevel (legacy) and server/discover (modern)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..context import Context
from ..errors import InvalidRequest
from ..versions import negotiate, supported_versions

if TYPE_CHECKING:
    from .host import Host


async def initialize(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.session is not None:
        raise InvalidRequest("Session already initialized")
    version = negotiate(params.get("protocolVersion"), server.options.legacy_versions)
    result: dict[str, Any] = {
        "protocolVersion": version,
        "capabilities": server.capabilities(ctx.era, version),
        "serverInfo": server.options.server_info(version),
    }
    if server.options.instructions:
        result["instructions"] = server.options.instructions
    return result


async def ping(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {}


async def set_level(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    level = params["level"]
    ctx.log_level = level
    if ctx.session is not None:
        await ctx.session.set_log_level(level)
    return {}


async def discover(server: Host, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    options = server.options
    result: dict[str, Any] = {
        "supportedVersions": supported_versions(options.modern_versions, options.legacy_versions),
        "capabilities": server.capabilities(ctx.era, ctx.protocol_version),
        "serverInfo": options.server_info(),
    }
    if options.instructions:
        result["instructions"] = options.instructions
    return server.cacheable(result, ttl_ms=options.list_ttl_ms)
