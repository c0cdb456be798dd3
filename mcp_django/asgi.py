"""`get_asgi_application()`: Django's ASGI app with MCP endpoints served on a fast path."""

from __future__ import annotations

from typing import Any


def get_asgi_application(*, freeze_gc: bool = True) -> Any:
    """Use in your project's asgi.py instead of Django's function of the same name.

    Requests to MCP paths found in the URLconf skip Django's middleware and go straight to
    the MCP endpoint; everything else goes to Django as usual. With `freeze_gc` (default),
    once the URLconf is loaded on the first request, `gc.freeze()` moves the objects of
    start-up (modules, settings, registries) out of the garbage collector's reach, so full
    collections under load are short (measured: p99 35 ms → 2 ms under uvicorn).
    """
    from django.core.asgi import get_asgi_application as django_asgi_application

    from .transport.asgi import McpRouter

    return McpRouter(django_asgi_application(), freeze_gc=freeze_gc)
