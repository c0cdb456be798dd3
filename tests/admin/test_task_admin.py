"""The task admin: owner, duration, session link, a Cancel button, pretty JSON, no Save."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from mcp_django.models import McpSession, McpTask

pytestmark = pytest.mark.django_db
TASKS = "/admin/mcp_django/mcptask/"


def task(**fields: Any) -> McpTask:
    values = {"task_id": uuid.uuid4().hex, "server": "conformance", "principal": "anonymous",
              "tool": "test_slow", **fields}
    return McpTask.objects.create(**values)


def detail(client: Client, obj: McpTask) -> str:
    response = client.get(f"{TASKS}{obj.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def field(page: str, name: str) -> str:
    """The rendered value of read-only field `name` on a change page."""
    found = re.search(rf'field-{name}\b.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert found is not None, f"no field {name!r} on the page"
    return found.group(1).strip()


def test_a_users_task_shows_the_user_not_the_raw_principal(admin_client: Client) -> None:
    owner = get_user_model().objects.create_user("task-owner")
    page = detail(admin_client, task(principal=f"user:{owner.pk}", user=owner))
    assert "task-owner" in page and f"user:{owner.pk}" not in page
    anonymous = detail(admin_client, task(principal="anonymous:abc123"))
    assert "anonymous:abc123" in anonymous
    listing = admin_client.get(TASKS).content.decode()
    assert "anonymous:abc123" in listing and f"user:{owner.pk}" not in listing


def test_duration_of_finished_and_running_tasks(admin_client: Client) -> None:
    now = timezone.now()
    done = task(status="completed", created_at=now - timedelta(minutes=10),
                updated_at=now - timedelta(minutes=10) + timedelta(seconds=75))
    running = task(created_at=now - timedelta(seconds=42), updated_at=now - timedelta(seconds=40))
    assert field(detail(admin_client, done), "duration") == "1 min 15 s"
    assert re.fullmatch(r"4\d s so far", field(detail(admin_client, running), "duration"))
    listing = admin_client.get(TASKS).content.decode()
    assert "1 min 15 s" in listing


def test_task_links_to_its_session(admin_client: Client) -> None:
    session = McpSession.objects.create(session_id="s" * 32, server="conformance",
                                        protocol_version="2025-11-25")
    page = detail(admin_client, task(session_id=session.session_id, era="legacy"))
    assert f'href="/admin/mcp_django/mcpsession/{session.pk}/change/"' in page
    unindexed = detail(admin_client, task(session_id="gone" * 8, era="legacy"))
    assert "gone" * 8 in unindexed and not re.search(r"mcpsession/\d+/change/", unindexed)
    assert field(detail(admin_client, task()), "session_link") == "—"


def test_cancel_button_asks_then_cancels(admin_client: Client) -> None:
    orphan = task(status="working")
    page = detail(admin_client, orphan)
    url = f"{TASKS}{orphan.pk}/cancel/"
    assert f'href="{url}"' in page
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and orphan.task_id in confirm.content.decode()
    orphan.refresh_from_db()
    assert orphan.status == "working"  # a GET changes nothing
    assert admin_client.post(url).status_code == 302
    orphan.refresh_from_db()
    assert orphan.status == "cancelled" and orphan.cancel_requested
    assert orphan.status_message == "Cancelled by admin"
    assert f'href="{url}"' not in detail(admin_client, orphan)


def test_cancel_of_a_task_with_a_live_runner_only_asks_it_to_stop(admin_client: Client) -> None:
    leased = task(status="working", lease_owner="worker-1",
                  lease_expires_at=timezone.now() + timedelta(minutes=1))
    admin_client.post(f"{TASKS}{leased.pk}/cancel/")
    leased.refresh_from_db()
    assert leased.cancel_requested and leased.status == "working"


def test_json_fields_are_indented_and_escaped(admin_client: Client) -> None:
    result = {"content": [{"type": "text", "text": "line one\nline <two>"}]}
    page = detail(admin_client, task(status="completed", result=result,
                                     arguments={"seconds": 1, "token": "x"}))
    shown = field(page, "result_json")
    assert shown.startswith('<pre class="mcp-json">') and shown.endswith("</pre>")
    assert '\n  "content": [\n' in html.unescape(shown)
    assert "&lt;two&gt;" in shown and "<two>" not in page
    assert '\n  "seconds": 1,\n' in html.unescape(field(page, "arguments_json"))
    assert field(page, "result_text") == '<pre class="mcp-text">line one\nline &lt;two&gt;</pre>'


def test_task_page_has_no_save_buttons(admin_client: Client) -> None:
    page = detail(admin_client, task())
    assert not re.search(r'name="_(save|continue|addanother)"', page)


def test_cancel_action_stops_running_tasks_only(admin_client: Client) -> None:
    running, done = task(status="working"), task(status="completed")
    response = admin_client.post(TASKS, {"action": "cancel_tasks",
                                         "_selected_action": [running.pk, done.pk]}, follow=True)
    assert "1 task(s) asked to stop." in response.content.decode()
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.status, done.status, done.cancel_requested) == ("cancelled", "completed",
                                                                    False)


def test_cancel_needs_the_change_permission(client: Client) -> None:
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mcptask"))
    client.force_login(viewer)
    running = task(status="working")
    assert client.get(f"{TASKS}{running.pk}/cancel/").status_code == 403
    assert client.post(f"{TASKS}{running.pk}/cancel/").status_code == 403
    running.refresh_from_db()
    assert running.status == "working" and not running.cancel_requested
