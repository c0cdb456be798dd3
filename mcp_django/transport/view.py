"""Django view adapter: the same endpoint behind Django's request stack (slower; any ASGI setup)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from .endpoint import Endpoint, http_error
from .http import IncomingRequest, payload_too_large
from .responses import Outgoing


def make_view(endpoint: Callable[[], Endpoint], server: Any) -> Any:
    """An async view serving an endpoint; `mcp_django.asgi` routes around it for speed.

    The body is read here up to `MAX_BODY_BYTES` (not Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`,
    which does not apply to `request.read()`), with the same 413 as the ASGI path.
    """

    @csrf_exempt
    async def mcp_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        current = endpoint()
        body = _read_body(request, current.config.max_body)
        if body is None:
            return _to_django(http_error(payload_too_large(current.config.max_body)))
        headers = {name.lower(): value for name, value in request.headers.items()}
        incoming = IncomingRequest(request.method or "GET", headers, body,
                                   getattr(request, "scope", {}))
        return _to_django(await current.handle(incoming))

    mcp_view.mcp_server = server
    return mcp_view


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        return None
    try:
        body = request.read(limit + 1)
    except RawPostDataException:  # a middleware read the body first
        body = request.body
    return None if len(body) > limit else body


def _to_django(outgoing: Outgoing) -> HttpResponse | StreamingHttpResponse:
    response: HttpResponse | StreamingHttpResponse
    if outgoing.stream is not None:
        response = StreamingHttpResponse(outgoing.stream, status=outgoing.status)
    else:
        response = HttpResponse(outgoing.body, status=outgoing.status)
    response.headers.pop("Content-Type", None)
    for name, value in outgoing.headers:
        response.headers[name] = value
    return response
