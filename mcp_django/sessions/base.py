"""SessionData: what one legacy session remembers between requests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any, Protocol


class SessionStore(Protocol):
    """Where legacy sessions live (`MCP_DJANGO["SESSION_STORE"]`, constructed with
    `from_settings(settings)`). `load` returns None for an unknown or expired id; `create`
    must never overwrite an existing record; `delete_sync` serves the admin's terminate."""

    async def create(self, session: SessionData) -> None: ...
    async def load(self, session_id: str) -> SessionData | None: ...
    async def save(self, session: SessionData) -> None: ...
    async def delete(self, session_id: str) -> None: ...
    def delete_sync(self, session_id: str) -> None: ...


@dataclass
class SessionData:
    id: str
    server: str
    principal: str
    protocol_version: str
    client_info: dict[str, Any] = field(default_factory=dict)
    client_capabilities: dict[str, Any] = field(default_factory=dict)
    log_level: str | None = None
    subscriptions: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    touched: float = field(default_factory=time.time)
    indexed: float = field(default_factory=time.time)
    store: Any = field(default=None, repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "store"}

    @classmethod
    def from_record(cls, record: dict[str, Any], store: Any) -> SessionData:
        return cls(**record, store=store)

    async def set_log_level(self, level: str) -> None:
        self.log_level = level
        await self.store.save(self)

    async def subscribe(self, uri: str) -> None:
        if uri not in self.subscriptions:
            self.subscriptions.append(uri)
            await self.store.save(self)

    async def unsubscribe(self, uri: str) -> None:
        if uri in self.subscriptions:
            self.subscriptions.remove(uri)
            await self.store.save(self)
