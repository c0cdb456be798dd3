"""Django admin over live sessions: listed after initialize, terminated with immediate effect."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest
from django.contrib.auth import get_user_model

from mcp_django.models import McpSession


@pytest.fixture
def admin_http(live_mcp_server):
    get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    http = httpx.Client(base_url=live_mcp_server.url, timeout=20)
    login = http.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    response = http.post("/admin/login/", data={"csrfmiddlewaretoken": token,
                                                 "username": "admin", "password": "pw-for-tests",
                                                 "next": "/admin/"})
    assert response.status_code == 302, response.text
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
