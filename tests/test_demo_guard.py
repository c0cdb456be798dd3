"""The demo refuses to serve a non-loopback address with its public SECRET_KEY."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from demo_project.guard import DEMO_SECRET_KEY, is_loopback, refuse_public_default_key


async def answer_ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def status_for(server: Any) -> int:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "server": server}
    communicator = ApplicationCommunicator(refuse_public_default_key(answer_ok), scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(2)
    await communicator.wait(2)
    return int(start["status"])


@pytest.mark.asyncio
@pytest.mark.parametrize(("server", "status"), [
    (("127.0.0.1", 8000), 204), (("::1", 8000), 204), (("localhost", 8000), 204),
    (None, 204), (("10.0.0.5", 8000), 503), (("0.0.0.0", 8000), 503),
    (("203.0.113.9", 80), 503), (("example.com", 80), 503)])
async def test_demo_key_serves_loopback_only(server: Any, status: int) -> None:
    with override_settings(SECRET_KEY=DEMO_SECRET_KEY):
        assert await status_for(server) == status


@pytest.mark.asyncio
async def test_a_real_key_serves_any_address() -> None:
    with override_settings(SECRET_KEY="a-real-secret-key-of-this-deployment-0123456789"):
        assert await status_for(("203.0.113.9", 80)) == 204


def test_loopback_addresses() -> None:
    assert is_loopback(("127.0.0.2", 1)) and not is_loopback(("192.168.1.2", 1))
