"""OAuth 2.0 Protected Resource Metadata (RFC 9728) for every MCP endpoint (A-2, A-3)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse

from .transport.discovery import mcp_routes


def protected_resource_metadata(request: HttpRequest, resource: str = "") -> JsonResponse:
    """`/.well-known/oauth-protected-resource[/<mcp path>]`: public, no MCP headers (A-12)."""
    routes = mcp_routes()
    path = "/" + resource.strip("/") if resource else next(iter(routes), "/mcp")
    server = routes.get(path)
    if server is None:
        raise Http404("No MCP endpoint at that path")
    origin = f"{request.scheme}://{request.get_host()}"
    metadata: dict[str, object] = {
        "resource": origin + path,
        "bearer_methods_supported": ["header"],
        "resource_name": server.setting("SERVER_TITLE") or server.setting("SERVER_NAME"),
    }
    servers = list(server.setting("AUTHORIZATION_SERVERS"))
    if servers:  # only one that exists: without one, clients use a token they were given
        metadata["authorization_servers"] = servers
    scopes = list(server.setting("SCOPES_SUPPORTED"))
    if scopes:
        metadata["scopes_supported"] = scopes
    return JsonResponse(metadata)
