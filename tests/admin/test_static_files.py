"""The demo serves the admin's static files under daphne (DEBUG), behind the demo key guard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from demo_project.guard import DEMO_SECRET_KEY
from mcp_django.testing.live import LiveServer

CSS = "/static/admin/css/base.css"


def test_make_demo_serves_the_admin_css(tmp_path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "demo_project.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    with LiveServer("demo_project.asgi:application", env=env) as server:
        response = httpx.get(server.url + CSS, timeout=20)
        login = httpx.get(server.url + "/admin/login/", timeout=20)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/css")
    assert "#header" in response.text
    assert CSS in login.text


async def status_of(app: Any, server: tuple[str, int]) -> int:
    scope = {"type": "http", "method": "GET", "path": CSS, "raw_path": CSS.encode(),
             "query_string": b"", "headers": [(b"host", b"localhost")], "server": server,
             "client": ("127.0.0.1", 5000), "scheme": "http", "root_path": ""}
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    await communicator.wait(5)
    return int(start["status"])


@pytest.mark.asyncio
async def test_the_demo_key_guard_stays_outermost() -> None:
    from demo_project.asgi import build

    app = build(debug=True)
    with override_settings(SECRET_KEY=DEMO_SECRET_KEY, ALLOWED_HOSTS=["localhost"]):
        assert await status_of(app, ("127.0.0.1", 8000)) == 200
        assert await status_of(app, ("203.0.113.9", 80)) == 503
        assert await status_of(build(debug=False), ("127.0.0.1", 8000)) == 404
