"""Groups: one server's channel-layer group names, and the messages sent to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..sessions.keys import channel_prefix, group_name
from .bus import ChannelLayer


class Groups:
    """`mcp_django.session.<id>` (a session's streams), `mcp_django.changes.<server>` (every
    GET and listen stream of the server) and `mcp_django.workers.<server>` (the worker bus),
    each prefixed `<DEPLOYMENT_KEY>.` when one is set: channel layers ignore Redis database
    numbers, so two deployments on one Redis would otherwise hear each other."""

    def __init__(self, server_name: str, layer: Callable[[], ChannelLayer],
                 deployment: str = "") -> None:
        self.server_name = server_name
        self.layer = layer
        self.deployment = deployment
        self.changes = group_name(deployment, f"mcp_django.changes.{server_name}")
        self.workers = group_name(deployment, f"mcp_django.workers.{server_name}")
        self.channel_prefix = channel_prefix(deployment)

    def session(self, session_id: str) -> str:
        return group_name(self.deployment, f"mcp_django.session.{session_id}")

    async def new_channel(self, layer: ChannelLayer) -> str:
        """A stream's own channel on `layer`, named within this deployment."""
        return await layer.new_channel(self.channel_prefix)

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
