"""SessionGate: legacy sessions at the door: find, bind to the caller, create on initialize."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidRequest
from ..policy import principal_key
from ..sessions.base import SessionData, SessionStore
from ..sessions.cache import new_session_id
from ..sessions.index import SessionIndex
from .http import HEADER_SESSION, HttpError, IncomingRequest


class SessionGate:
    """2025-11-25 transports §2.5: a session request without `Mcp-Session-Id` is 400; an
    unknown, expired or another principal's id is 404 (the same answer, so ids cannot be
    probed)."""

    def __init__(self, server_name: str, store: SessionStore, index: SessionIndex,
                 stateless: bool) -> None:
        self.server_name = server_name
        self.store = store
        self.index = index
        self.stateless = stateless

    async def require(self, request: IncomingRequest, principal: Any) -> SessionData | None:
        """The caller's session (None in `STATELESS_LEGACY` mode)."""
        if self.stateless:
            return None
        session_id = request.headers.get(HEADER_SESSION)
        if not session_id:
            raise HttpError(400, "Bad Request: Mcp-Session-Id header is required")
        session = await self.store.load(session_id)
        if (session is None or session.server != self.server_name
                or session.principal != principal_key(principal)):
            raise HttpError(404, "Session not found", code=-32001)
        self.index.seen(session)
        return session

    async def optional(self, request: IncomingRequest, principal: Any) -> SessionData | None:
        """The session when the request names one (batches may come without)."""
        if self.stateless or not request.headers.get(HEADER_SESSION):
            return None
        return await self.require(request, principal)

    async def refuse_reinitialize(self, request: IncomingRequest) -> None:
        existing = request.headers.get(HEADER_SESSION)
        if existing and await self.store.load(existing) is not None:
            raise InvalidRequest("Invalid request: session already initialized")

    async def open(self, params: dict[str, Any], result: dict[str, Any], principal: Any
                   ) -> SessionData | None:
        """After a successful initialize: the new session, stored and indexed."""
        if self.stateless:
            return None
        session = SessionData(
            new_session_id(), self.server_name, principal_key(principal),
            result["protocolVersion"], _dict(params.get("clientInfo")),
            _dict(params.get("capabilities")))
        await self.store.create(session)
        await self.index.record(session, principal)
        return session


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
