"""A GET stream's keep-alives check the session cheaply; only a resource change re-reads it."""

from __future__ import annotations

from unittest import mock

import pytest

from tests.project.variants import limited
from tests.transport.asgi_client import Exchange, initialize

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PATH = "/limited/mcp"  # 0.2 s keep-alives


async def open_get(headers: dict[str, str]) -> Exchange:
    exchange = Exchange(limited.asgi, {**headers, "Accept": "text/event-stream"}, PATH, "GET")
    await exchange.send_body(b"")
    assert await exchange.start() == 200
    return exchange


async def keepalives(exchange: Exchange, count: int) -> None:
    while exchange.text.count(": keep-alive") < count:
        await exchange.chunk()


async def test_keepalives_check_the_session_without_rereading_its_record():
    headers = await initialize(limited.asgi, "2025-11-25")
    session_id = headers["Mcp-Session-Id"]
    cache = limited.runtime.sessions.cache
    exchange = await open_get(headers)
    await keepalives(exchange, 1)
    with mock.patch.object(cache, "get", wraps=cache.get) as get:  # a spy on Django's cache
        await keepalives(exchange, 6)
    reads = [call for call in get.call_args_list if session_id in str(call.args[0])]
    assert reads == []
    await limited.runtime.sessions.delete(session_id)  # gone from the cache (e.g. expired):
    await exchange.read_all()                           # the next check ends the stream
    await exchange.finished()
