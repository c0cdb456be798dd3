"""The body is read after Origin and authentication, within MAX_BODY_BYTES and BODY_TIMEOUT."""

from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import modern_headers
from tests.project.variants import secure, tight
from tests.transport.asgi_client import Exchange, modern_call

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_an_unauthenticated_upload_is_refused_before_its_body_arrives():
    headers = {**modern_headers("tools/call", "echo"), "content-length": str(3 * 1024 * 1024)}
    exchange = Exchange(secure.asgi, headers, "/secure/mcp")
    await exchange.send_body(b'{"jsonrpc": "2.0", ', more_body=True)  # and nothing more
    reply = await exchange.read_all()
    assert reply.status == 401
    assert "resource_metadata" in exchange.headers["www-authenticate"]


async def test_a_foreign_origin_is_refused_before_the_body_arrives():
    headers = {**modern_headers("tools/call", "echo"), "origin": "https://evil.example"}
    exchange = Exchange(tight.asgi, headers, "/tight/mcp")
    await exchange.send_body(b"{", more_body=True)
    assert (await exchange.read_all()).status == 403


async def test_a_body_that_trickles_past_body_timeout_gets_408():
    body = json.dumps(modern_call("echo", {"text": "slow"})[0]).encode()
    exchange = Exchange(tight.asgi, modern_headers("tools/call", "echo"), "/tight/mcp")
    await exchange.send_body(body[:10], more_body=True)  # BODY_TIMEOUT is 1 s on `tight`
    reply = await exchange.read_all(timeout=5)
    assert reply.status == 408
    assert json.loads(exchange.text)["error"]["message"].startswith("Request Timeout")


async def test_a_body_within_body_timeout_is_served():
    body = json.dumps(modern_call("echo", {"text": "in time"})[0]).encode()
    exchange = Exchange(tight.asgi, modern_headers("tools/call", "echo"), "/tight/mcp")
    await exchange.send_body(body, chunks=3)
    reply = await exchange.read_all()
    assert reply.status == 200 and reply.messages[0]["result"]["content"][0]["text"] == "in time"
