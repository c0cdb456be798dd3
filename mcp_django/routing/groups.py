"""Groups: one server's channel-layer group names, and the messages sent to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .bus import ChannelLayer


class Groups:
    """`mcp_django.session.<id>` (a session's streams), `mcp_django.changes.<server>` (every
    GET and listen stream of the server) and `mcp_django.workers.<server>` (the worker bus)."""

    def __init__(self, server_name: str, layer: Callable[[], ChannelLayer]) -> None:
        self.server_name = server_name
        self.layer = layer
        self.changes = f"mcp_django.changes.{server_name}"
        self.workers = f"mcp_django.workers.{server_name}"

    @staticmethod
    def session(session_id: str) -> str:
        return f"mcp_django.session.{session_id}"

    async def send_session(self, session_id: str, message: dict[str, Any]) -> None:
        """A JSON-RPC message for the session's GET stream, on whichever worker holds it."""
        await self.layer().group_send(self.session(session_id),
                                      {"type": "session.message", "message": message})

    async def terminate(self, session_id: str) -> None:
        await self.layer().group_send(self.session(session_id), {"type": "session.terminate"})

    async def publish_change(self, kind: str, uri: str | None = None) -> None:
        """Tell every open GET and listen stream of this server, on any worker."""
        await self.layer().group_send(self.changes, {"type": "mcp.change", "kind": kind,
                                                     "uri": uri})
