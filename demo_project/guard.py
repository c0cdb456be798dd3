"""The demo's public SECRET_KEY is fine on loopback only: elsewhere anyone could forge state."""

from __future__ import annotations

import functools
import ipaddress
import logging
from typing import Any

from django.conf import settings

DEMO_SECRET_KEY = "demo-insecure-key-change-me"
logger = logging.getLogger("demo_project")
REFUSAL = (b"This demo runs with its public default SECRET_KEY, so anyone could forge signed "
           b"requestState and sessions. It serves loopback addresses only; to serve it on "
           b"another address set DJANGO_SECRET_KEY (and DJANGO_DEBUG=false).\n")


def is_loopback(server: Any) -> bool:
    """True for a loopback (or Unix-socket) listening address."""
    if not server or not server[0]:
        return True
    return _host_is_loopback(str(server[0]))


@functools.lru_cache(maxsize=64)  # a process listens on few addresses: parse each once
def _host_is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def refuse_public_default_key(app: Any) -> Any:
    """Wrap the ASGI app: with the demo key on a non-loopback address, answer 503 and say why."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and settings.SECRET_KEY == DEMO_SECRET_KEY
                and not is_loopback(scope.get("server"))):
            logger.error("Refusing %s: the demo SECRET_KEY on a public address",
                         scope.get("server"))
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": REFUSAL})
            return
        await app(scope, receive, send)

    return guarded
