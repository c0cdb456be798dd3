"""Django admin over live sessions: listed after initialize, terminated with immediate effect."""

from __future__ import annotations

import os
import re
import threading
import time

import httpx
import pytest
from django.contrib.auth import get_user_model

from mcp_django.models import McpSession
from mcp_django.testing.live import LiveServer
from tests.e2e.helpers import RawClient


def logged_in(url: str) -> httpx.Client:
    """An HTTP client logged in to the admin at `url` as a new superuser."""
    get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    http = httpx.Client(base_url=url, timeout=20)
    login = http.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    response = http.post("/admin/login/", data={"csrfmiddlewaretoken": token,
                                                 "username": "admin", "password": "pw-for-tests",
                                                 "next": "/admin/"})
    assert response.status_code == 302, response.text
    return http


@pytest.fixture
def admin_http(live_mcp_server):
    http = logged_in(live_mcp_server.url)
    yield http
    http.close()


def csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_initialized_session_is_listed_in_admin(raw, admin_http):
    session = raw.initialize("2025-06-18")
    row = McpSession.objects.get(session_id=session.id)
    assert (row.protocol_version, row.client_name, row.server) == ("2025-06-18", "raw-tests",
                                                                   "conformance")
    listing = admin_http.get("/admin/mcp_django/mcpsession/", params={"q": "raw-tests"})
    assert listing.status_code == 200 and session.id[:12] in listing.text
    detail = admin_http.get(f"/admin/mcp_django/mcpsession/{row.pk}/change/")
    assert session.id in detail.text and "Terminate now" in detail.text


def test_admin_terminate_button_ends_the_session_and_its_streams(raw, admin_http):
    session = raw.initialize("2025-11-25")
    row = McpSession.objects.get(session_id=session.id)
    closed = threading.Event()

    def follow() -> None:
        headers = {**session.headers(), "Accept": "text/event-stream"}
        with httpx.stream("GET", raw.url, headers=headers, timeout=20) as response:
            for _ in response.iter_bytes():
                pass
        closed.set()

    threading.Thread(target=follow, daemon=True).start()
    time.sleep(0.5)
    url = f"/admin/mcp_django/mcpsession/{row.pk}/terminate/"
    confirm = admin_http.get(url)
    assert confirm.status_code == 200 and session.id in confirm.text
    assert session.request("ping").status == 200  # a GET alone terminates nothing
    done = admin_http.post(url, data={"csrfmiddlewaretoken": csrf(confirm)})
    assert done.status_code == 302
    assert session.request("ping").status == 404
    assert closed.wait(5), "the session's GET stream stayed open"
    row.refresh_from_db()
    assert row.terminated_at is not None and row.terminated_by == "admin:admin"
    assert row.state == "terminated"


def test_admin_action_terminates_selected_sessions(raw, admin_http):
    first, second = raw.initialize(), raw.initialize()
    ids = list(McpSession.objects.filter(session_id__in=[first.id, second.id])
               .values_list("pk", flat=True))
    page = admin_http.get("/admin/mcp_django/mcpsession/")
    response = admin_http.post("/admin/mcp_django/mcpsession/", data={
        "csrfmiddlewaretoken": csrf(page), "action": "terminate_sessions",
        "_selected_action": [str(pk) for pk in ids]})
    assert response.status_code == 302
    assert first.request("ping").status == 404 and second.request("ping").status == 404


def test_client_delete_is_recorded_in_the_index(raw):
    session = raw.initialize()
    session.delete()
    row = McpSession.objects.get(session_id=session.id)
    assert row.terminated_by == "client" and row.state == "terminated"


@pytest.fixture
def fresh_server(django_db_setup):
    """A daphne process of its own: the admin's delete writes a LogEntry naming a content type,
    and the shared server's cached content-type ids are stale once earlier tests flushed the
    database (content types come back with new ids)."""
    from django.conf import settings

    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
           "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"])}
    with LiveServer("tests.project.asgi:application", env=env) as server:
        yield server


def test_deleting_a_session_in_admin_terminates_it(fresh_server):
    http = logged_in(fresh_server.url)
    client = RawClient(fresh_server.url + "/conformance/mcp")
    session = client.initialize("2025-11-25")
    row = McpSession.objects.get(session_id=session.id)
    url = f"/admin/mcp_django/mcpsession/{row.pk}/delete/"
    confirm = http.get(url)
    assert confirm.status_code == 200
    done = http.post(url, data={"csrfmiddlewaretoken": csrf(confirm), "post": "yes"})
    assert done.status_code == 302, fresh_server.log()[-3000:]
    assert not McpSession.objects.filter(pk=row.pk).exists()
    assert session.request("ping").status == 404
    client.close()
    http.close()


def test_the_admin_css_is_served(admin_http):
    response = admin_http.get("/static/admin/css/base.css")
    assert response.status_code == 200 and "#header" in response.text
