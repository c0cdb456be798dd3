"""SessionGate: legacy sessions at the door: find, bind to the caller, create on initialize."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidRequest
from ..policy import principal_key
from ..sessions.base import SessionData, SessionLimits, SessionStore
from ..sessions.cache import is_session_id, new_session_id
from ..sessions.index import SessionIndex
from .http import HEADER_SESSION, HttpError, IncomingRequest

if TYPE_CHECKING:
    from ..runtime import Runtime

SESSIONS_FULL = -32000
RETRY_AFTER_MAX = 60  # seconds: sessions end by DELETE, termination or idling past the TTL


class SessionGate:
    """2025-11-25 transports §2.5: a session request without `Mcp-Session-Id` is 400; an
    unknown, expired or another principal's id is 404 (the same answer, so ids cannot be
    probed). `initialize` past `MAX_SESSIONS` live sessions is refused, never evicting one."""

    def __init__(self, server_name: str, store: SessionStore, index: SessionIndex,
                 stateless: bool, limits: SessionLimits | None = None,
                 ttl: float = 3600.0) -> None:
        self.server_name = server_name
        self.store = store
        self.index = index
        self.stateless = stateless
        self.limits = limits or SessionLimits()
        self.ttl = ttl

    @classmethod
    def for_runtime(cls, runtime: Runtime) -> SessionGate:
        return cls(runtime.name, runtime.sessions, runtime.index,
                   runtime.config.stateless_legacy, SessionLimits.from_settings(runtime.settings),
                   float(runtime.settings["SESSION_TTL"]))

    async def require(self, request: IncomingRequest, principal: Any) -> SessionData | None:
        """The caller's session (None in `STATELESS_LEGACY` mode)."""
        if self.stateless:
            return None
        session_id = request.headers.get(HEADER_SESSION)
        if not session_id:
            raise HttpError(400, "Bad Request: Mcp-Session-Id header is required")
        session = await self.store.load(session_id) if is_session_id(session_id) else None
        if (session is None or session.server != self.server_name
                or session.principal != principal_key(principal)):
            raise HttpError(404, "Session not found", code=-32001)
        self.index.seen(session)
        session.limits = self.limits
        return session

    async def optional(self, request: IncomingRequest, principal: Any) -> SessionData | None:
        """The session when the request names one (batches may come without)."""
        if self.stateless or not request.headers.get(HEADER_SESSION):
            return None
        return await self.require(request, principal)

    async def refuse_reinitialize(self, request: IncomingRequest) -> None:
        existing = request.headers.get(HEADER_SESSION)
        if existing and is_session_id(existing) and await self.store.load(existing) is not None:
            raise InvalidRequest("Invalid request: session already initialized")

    async def open(self, params: dict[str, Any], result: dict[str, Any], principal: Any
                   ) -> SessionData | None:
        """After a successful initialize: the new session, stored and indexed — unless its
        client info is too big (-32602) or the server is full (503)."""
        if self.stateless:
            return None
        client_info, capabilities = _dict(params.get("clientInfo")), \
            _dict(params.get("capabilities"))
        self.limits.check_client(client_info, capabilities)
        await self._check_room()
        session = SessionData(
            new_session_id(), self.server_name, principal_key(principal),
            result["protocolVersion"], client_info, capabilities, limits=self.limits)
        await self.store.create(session)
        await self.index.record(session, principal)
        return session

    async def _check_room(self) -> None:
        limit = self.limits.max_sessions
        if await self.index.live_count(self.server_name, self.ttl, limit) < limit:
            return
        retry = max(1, min(RETRY_AFTER_MAX, math.ceil(self.ttl)))
        raise HttpError(503, f"Service Unavailable: this server holds MAX_SESSIONS ({limit}) "
                             f"live sessions; retry in {retry} s",
                        {"Retry-After": str(retry)}, code=SESSIONS_FULL,
                        data={"limit": "MAX_SESSIONS", "retryAfter": retry})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
