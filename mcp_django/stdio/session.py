"""The process is the session: what a 2025 client's `initialize` opens on stdio."""

from __future__ import annotations

import secrets
from typing import Any

from ..core.errors import InvalidRequest
from ..policy import principal_key
from ..sessions.base import SessionData, SessionLimits


class ProcessStore:
    """Where the stdio session lives: in this process, so saving it is remembering it."""

    async def save(self, session: SessionData) -> None:
        return None


class ProcessSession:
    """One `SessionData` for the life of the process (2025-11-25 lifecycle §initialization):
    `logging/setLevel` and `resources/subscribe` are stored in it; it never reaches the
    session cache or the admin's index, since nothing but this process can use it."""

    def __init__(self, server: str, principal: Any, settings: Any) -> None:
        self.id = "stdio-" + secrets.token_hex(16)
        self.server = server
        self.principal = principal
        self.limits = SessionLimits.from_settings(settings)
        self.data: SessionData | None = None

    def refuse_reinitialize(self) -> None:
        if self.data is not None:
            raise InvalidRequest("Invalid request: session already initialized")

    def open(self, params: dict[str, Any], result: dict[str, Any]) -> SessionData:
        """After a successful initialize (clientInfo and capabilities within their limit)."""
        client_info, capabilities = _dict(params.get("clientInfo")), \
            _dict(params.get("capabilities"))
        self.limits.check_client(client_info, capabilities)
        self.data = SessionData(self.id, self.server, principal_key(self.principal),
                                result["protocolVersion"], client_info, capabilities,
                                store=ProcessStore(), limits=self.limits)
        return self.data


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
