"""SessionData: what one legacy session remembers between requests, within SessionLimits."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from ..core.errors import InvalidParams
from ..core.jsonrpc import dump

NOT_STORED = ("store", "limits")


class SessionStore(Protocol):
    """Where legacy sessions live (`MCP_DJANGO["SESSION_STORE"]`, constructed with
    `from_settings(settings)`). `load` returns None for an unknown or expired id; `create`
    must never overwrite an existing record.
    A store may also offer `touch(session_id) -> bool` (True while the record exists; slides
    its TTL without reading it), which long-lived GET streams prefer to `load`."""

    async def create(self, session: SessionData) -> None: ...
    async def load(self, session_id: str) -> SessionData | None: ...
    async def save(self, session: SessionData) -> None: ...
    async def delete(self, session_id: str) -> None: ...


@dataclass(frozen=True)
class SessionLimits:
    """What a hostile client may make a server store: sessions per server, and per session
    its subscriptions, their URIs and its clientInfo + capabilities (refused with -32602)."""

    max_sessions: int = 10_000
    max_subscriptions: int = 100
    max_uri_length: int = 2048
    max_client_info_bytes: int = 16 * 1024

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SessionLimits:
        return cls(int(settings["MAX_SESSIONS"]), int(settings["MAX_SUBSCRIPTIONS"]),
                   int(settings["MAX_URI_LENGTH"]), int(settings["MAX_CLIENT_INFO_BYTES"]))

    def check_client(self, client_info: dict[str, Any], capabilities: dict[str, Any]) -> None:
        size = len(dump(client_info)) + len(dump(capabilities))
        if size > self.max_client_info_bytes:
            raise InvalidParams(f"params.clientInfo and params.capabilities: {size} bytes "
                                f"exceed MAX_CLIENT_INFO_BYTES ({self.max_client_info_bytes} "
                                "bytes)")

    def check_uri(self, uri: str) -> None:
        if len(uri) > self.max_uri_length:
            raise InvalidParams(f"params.uri: longer than MAX_URI_LENGTH "
                                f"({self.max_uri_length} characters)")

    def check_room(self, subscriptions: list[str]) -> None:
        if len(subscriptions) >= self.max_subscriptions:
            raise InvalidParams(f"params.uri: this session already holds MAX_SUBSCRIPTIONS "
                                f"({self.max_subscriptions}) subscriptions")


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
    # Never stored: the server's limits.
    limits: SessionLimits = field(default_factory=SessionLimits, repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in NOT_STORED}

    @classmethod
    def from_record(cls, record: dict[str, Any], store: Any) -> SessionData:
        return cls(**record, store=store)

    async def set_log_level(self, level: str) -> None:
        self.log_level = level
        await self.store.save(self)

    async def subscribe(self, uri: str) -> None:
        self.limits.check_uri(uri)
        if uri not in self.subscriptions:
            self.limits.check_room(self.subscriptions)
            self.subscriptions.append(uri)
            await self.store.save(self)

    async def unsubscribe(self, uri: str) -> None:
        if uri in self.subscriptions:
            self.subscriptions.remove(uri)
            await self.store.save(self)
