"""Django view adapter: the same endpoint behind Django's request stack (slower; any ASGI setup)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from .http import IncomingRequest

if TYPE_CHECKING:
    from ..server import McpServer


def make_view(server: McpServer) -> Any:
    """An async view serving `server`; `mcp_django.asgi` routes around it for speed."""

    @csrf_exempt
    async def mcp_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        headers = {name.lower(): value for name, value in request.headers.items()}
        incoming = IncomingRequest(request.method or "GET", headers, request.body,
                                   getattr(request, "scope", {}))
        outgoing = await server.endpoint.handle(incoming)
        response: HttpResponse | StreamingHttpResponse
        if outgoing.stream is not None:
            response = StreamingHttpResponse(outgoing.stream, status=outgoing.status)
        else:
            response = HttpResponse(outgoing.body, status=outgoing.status)
        response.headers.pop("Content-Type", None)
        for name, value in outgoing.headers:
            response.headers[name] = value
        return response

    mcp_view.mcp_server = server  # type: ignore[attr-defined]
    return mcp_view
