"""HTTP-level request checks (Host, Origin, method, Content-Type, Accept) and HttpError."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.http.request import split_domain_port, validate_host

HEADER_SESSION = "mcp-session-id"
HEADER_VERSION = "mcp-protocol-version"
HEADER_LAST_EVENT = "last-event-id"
ALLOWED_METHODS = "GET, POST, DELETE"


class HttpError(Exception):
    """A failure answered before (or instead of) the protocol layer."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 code: int | None = -32600, data: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code
        self.data = data


def body_timeout(seconds: float) -> HttpError:
    return HttpError(408, f"Request Timeout: the body did not arrive within BODY_TIMEOUT "
                          f"({seconds:g} s)")


def payload_too_large(limit: int) -> HttpError:
    """The one 413 answer of both mounts (the ASGI app and the Django view)."""
    return HttpError(413, f"Payload Too Large: the body exceeds MAX_BODY_BYTES ({limit} bytes)")


class ClientGone(Exception):
    """The client disconnected before its request body arrived: nothing is to be answered."""


@dataclass
class IncomingRequest:
    """A transport-neutral HTTP request: lowercase header names, and the body once read.

    An adapter that can defer reading the body passes `reader`; the endpoint calls
    `load_body()` after Origin and authentication passed, so a refused caller's upload is
    never buffered by us.
    """

    method: str
    headers: Mapping[str, str]
    body: bytes = b""
    scope: dict[str, Any] = field(default_factory=dict)
    reader: Callable[[], Awaitable[bytes]] | None = None

    async def load_body(self) -> None:
        if self.reader is not None:
            reader, self.reader = self.reader, None
            self.body = await reader()


@dataclass(frozen=True)
class OriginPolicy:
    allowed_hosts: tuple[str, ...]
    allowed_origins: frozenset[str]
    _verdicts: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def check(self, headers: Mapping[str, str]) -> None:
        """Reject a foreign Host (421) or Origin (403): DNS-rebinding protection (L-1, L-2)."""
        host = headers.get("host", "")
        if not self._host_allowed(host):
            raise HttpError(421, "Invalid Host header")
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host):
            raise HttpError(403, "Forbidden: origin not allowed")

    def _host_allowed(self, host: str) -> bool:
        verdict = self._verdicts.get(host)
        if verdict is None:
            domain, _port = split_domain_port(host)
            verdict = bool(domain) and validate_host(domain, list(self.allowed_hosts))
            if len(self._verdicts) < 1024:  # bounded: Host values are client-chosen
                self._verdicts[host] = verdict
        return verdict

    def _origin_allowed(self, origin: str, host: str) -> bool:
        if origin in self.allowed_origins:
            return True
        try:
            return urlsplit(origin).netloc.lower() == host.lower() and bool(host)
        except ValueError:
            return False


def media_types(value: str | None) -> set[str]:
    if not value:
        return set()
    return {part.split(";", 1)[0].strip().lower() for part in value.split(",")}


def check_post(headers: Mapping[str, str], needs_sse: bool) -> None:
    """POST needs a JSON body and an Accept naming JSON (and SSE unless JSON mode) (L-5, L-6)."""
    if media_types(headers.get("content-type")) != {"application/json"}:
        raise HttpError(415, "Unsupported Media Type: Content-Type must be application/json")
    accept = media_types(headers.get("accept"))
    if "*/*" in accept:
        return
    if "application/json" not in accept or (needs_sse and "text/event-stream" not in accept):
        wanted = "application/json and text/event-stream" if needs_sse else "application/json"
        raise HttpError(406, f"Not Acceptable: Accept must list {wanted}")


def check_get(headers: Mapping[str, str]) -> None:
    accept = media_types(headers.get("accept"))
    if "text/event-stream" not in accept and "*/*" not in accept:
        raise HttpError(406, "Not Acceptable: Accept must list text/event-stream")


def method_not_allowed(allowed: str = ALLOWED_METHODS) -> HttpError:
    return HttpError(405, "Method Not Allowed", {"Allow": allowed})
