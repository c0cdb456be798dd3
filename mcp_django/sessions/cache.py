"""CacheSessionStore: session records under prefixed cache keys with a sliding TTL."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import caches

from . import keys
from .base import SessionData
from .cachecall import make_cache_caller

SESSION_ID = re.compile(r"[0-9a-f]{32}")
KEY_PREFIX = "mcp_django:session:"
LOOKUP_CHUNK = 200  # records fetched per get_many by existing_sync


def cache_key(session_id: str, deployment: str = "") -> str:
    return keys.cache_key(deployment, KEY_PREFIX + session_id)


def new_session_id() -> str:
    """128 bits from the CSPRNG as 32 hex characters (visible ASCII, L-13/L-14)."""
    return secrets.token_hex(16)


def is_session_id(value: str) -> bool:
    """What `new_session_id` makes; anything else names no session (and is never a cache key)."""
    return len(value) == 32 and SESSION_ID.fullmatch(value) is not None


class CacheSessionStore:
    """Sessions in a Django cache. One read per request; the TTL slides at most every ttl/10."""

    def __init__(self, alias: str, ttl: int, deployment: str = "") -> None:
        self.alias = alias
        self.ttl = ttl
        self.deployment = deployment
        self.cache = caches[alias]
        self._call = make_cache_caller(self.cache)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CacheSessionStore:
        return cls(settings["SESSION_CACHE_ALIAS"], settings["SESSION_TTL"],
                   settings.get("DEPLOYMENT_KEY", ""))

    def key(self, session_id: str) -> str:
        return cache_key(session_id, self.deployment)

    async def create(self, session: SessionData) -> None:
        session.store = self
        if not await self._call("add", self.key(session.id), session.to_record(), self.ttl):
            raise RuntimeError("session id collision")

    async def load(self, session_id: str) -> SessionData | None:
        record = await self._call("get", self.key(session_id))
        if not isinstance(record, dict):
            return None
        session = SessionData.from_record(record, self)
        if time.time() - session.touched > self.ttl / 10:
            await self.save(session)
        return session

    async def touch(self, session_id: str) -> bool:
        """True while the record exists; slides its TTL without reading it (GET streams)."""
        return bool(await self._call("touch", self.key(session_id), self.ttl))

    async def save(self, session: SessionData) -> None:
        session.touched = time.time()
        await self._call("set", self.key(session.id), session.to_record(), self.ttl)

    async def delete(self, session_id: str) -> None:
        await self._call("delete", self.key(session_id))

    def existing_sync(self, session_ids: Iterable[str]) -> set[str]:
        """Which of these sessions still have a record (`mcp_clearsessions`)."""
        ids, found = list(session_ids), set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = {self.key(session_id): session_id
                     for session_id in ids[start:start + LOOKUP_CHUNK]}
            found |= {chunk[key] for key in self.cache.get_many(list(chunk))}
        return found
