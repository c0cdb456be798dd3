"""One async view doing what the bare ASGI app does, through Django's request/response stack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import BadRequest, echo_reply


@csrf_exempt  # an API endpoint, like an MCP endpoint: no CSRF token (only matters with middleware)
async def mcp(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse("Method Not Allowed", status=405, content_type="text/plain")
    try:
        body = echo_reply(request.body)
    except BadRequest as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    return HttpResponse(body, content_type="application/json")
