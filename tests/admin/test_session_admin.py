"""The session admin: delete terminates, one state definition, readable times, no Save, links."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from demo_project.conformance import conformance
from mcp_django.conf import mcp_settings
from mcp_django.models import ACTIVE_SECONDS, McpSession, McpTask, McpToken
from tests.transport.asgi_client import initialize, post

pytestmark = pytest.mark.django_db(transaction=True)
SESSIONS = "/admin/mcp_django/mcpsession/"
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def live_session() -> McpSession:
    """A real session of the conformance server (in this process's cache) and its index row."""
    headers = async_to_sync(initialize)(conformance.asgi, "2025-11-25")
    return McpSession.objects.get(session_id=headers["Mcp-Session-Id"])


async def _ping(session_id: str) -> int:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2025-11-25", "Mcp-Session-Id": session_id}
    return (await (await post(conformance.asgi, PING, headers, "/conformance/mcp")).read_all()
            ).status


def ping(session: McpSession) -> int:
    return async_to_sync(_ping)(session.session_id)


def row(seen_ago: float, created_ago: float | None = None, **fields: Any) -> McpSession:
    """An index row last seen `seen_ago` seconds ago (created then too, unless given)."""
    now = timezone.now()
    created = now - timedelta(seconds=seen_ago if created_ago is None else created_ago)
    return McpSession.objects.create(
        session_id=uuid.uuid4().hex,
        server="conformance", protocol_version="2025-11-25", client_name="rows",
        created_at=created, last_seen=now - timedelta(seconds=seen_ago), **fields)


def listed(client: Client, **params: str) -> list[str]:
    page = client.get(SESSIONS, params).content.decode()
    return re.findall(r'href="/admin/mcp_django/mcpsession/(\d+)/change/', page)


def test_deleting_a_session_row_terminates_the_session(admin_client: Client) -> None:
    session = live_session()
    assert ping(session) == 200
    page = admin_client.get(f"{SESSIONS}{session.pk}/delete/")
    assert page.status_code == 200
    response = admin_client.post(f"{SESSIONS}{session.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not McpSession.objects.filter(pk=session.pk).exists()
    assert ping(session) == 404


def test_the_delete_action_terminates_every_selected_session(admin_client: Client) -> None:
    first, second = live_session(), live_session()
    response = admin_client.post(SESSIONS, {"action": "delete_selected", "post": "yes",
                                            "_selected_action": [first.pk, second.pk]})
    assert response.status_code == 302
    assert McpSession.objects.filter(pk__in=[first.pk, second.pk]).count() == 0
    assert (ping(first), ping(second)) == (404, 404)


def test_session_page_has_no_save_buttons_but_terminate_still_works(admin_client: Client
                                                                     ) -> None:
    session = live_session()
    page = admin_client.get(f"{SESSIONS}{session.pk}/change/").content.decode()
    assert not re.search(r'name="_(save|continue|addanother)"', page)
    assert "Terminate now" in page
    admin_client.post(f"{SESSIONS}{session.pk}/terminate/")
    assert ping(session) == 404


def test_state_label_and_filter_agree_on_all_four_states(admin_client: Client) -> None:
    throttle = mcp_settings.SESSION_INDEX_THROTTLE
    rows = {"active": row(1), "idle": row(ACTIVE_SECONDS + throttle + 5),
            "expired": row(mcp_settings.SESSION_TTL + throttle + 5),
            "terminated": row(1, terminated_at=timezone.now(), terminated_by="client")}
    page = admin_client.get(SESSIONS).content.decode()
    for state, session in rows.items():
        assert session.state == state
        assert f"?state={state}" in page, f"no {state!r} choice in the state filter"
        assert listed(admin_client, state=state) == [str(session.pk)]
        cell = re.search(rf'mcpsession/{session.pk}/change/.*?field-state_label">([^<]*)<',
                         page, re.S)
        assert cell is not None and cell.group(1) == state


def test_times_have_seconds_and_an_age_and_last_seen_is_blank_until_updated(
        admin_client: Client) -> None:
    fresh = row(90)
    seen = row(30, created_ago=600)
    page = admin_client.get(SESSIONS).content.decode()
    fresh_row = re.search(rf"mcpsession/{fresh.pk}/change/.*?</tr>", page, re.S).group(0)
    seen_row = re.search(rf"mcpsession/{seen.pk}/change/.*?</tr>", page, re.S).group(0)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.search(rf'field-created">{stamp} \(1\xa0minute ago\)<', fresh_row)
    assert re.search(r'field-seen">—<', fresh_row)
    assert re.search(rf'field-created">{stamp} \(10\xa0minutes ago\)<', seen_row)
    assert re.search(rf'field-seen">{stamp} \(3\d\xa0seconds ago\)<', seen_row)
    detail = admin_client.get(f"{SESSIONS}{seen.pk}/change/").content.decode()
    assert re.search(rf"{stamp} \(10\xa0minutes ago\)", detail)


def test_session_links_to_its_tasks_and_its_users_tokens(admin_client: Client) -> None:
    owner = get_user_model().objects.create_user("session-owner")
    session = row(1, user=owner, principal=f"user:{owner.pk}")
    McpTask.objects.create(task_id="t" * 32, server="conformance", principal=session.principal,
                           user=owner, session_id=session.session_id, tool="test_slow")
    McpTask.objects.create(task_id="u" * 32, server="conformance", principal="other",
                           session_id="elsewhere", tool="test_slow")
    McpToken.issue(owner, "laptop")
    McpToken.issue(get_user_model().objects.create_user("someone-else"), "phone")
    detail = admin_client.get(f"{SESSIONS}{session.pk}/change/").content.decode()
    tasks = re.search(r'href="(/admin/mcp_django/mcptask/\?[^"]+)"', detail)
    tokens = re.search(r'href="(/admin/mcp_django/mcptoken/\?[^"]+)"', detail)
    assert tasks is not None and tokens is not None
    task_list = admin_client.get(tasks.group(1).replace("&amp;", "&")).content.decode()
    assert "t" * 12 in task_list and "u" * 12 not in task_list
    token_list = admin_client.get(tokens.group(1).replace("&amp;", "&")).content.decode()
    assert "laptop" in token_list and "phone" not in token_list


def test_state_uses_the_servers_own_session_ttl(admin_client: Client) -> None:
    """The `short` test server keeps sessions for SESSION_TTL=1 s (plus the index throttle)."""
    short = row(mcp_settings.SESSION_INDEX_THROTTLE + 5)
    McpSession.objects.filter(pk=short.pk).update(server="short")
    assert listed(admin_client, state="expired") == [str(short.pk)]
    page = admin_client.get(SESSIONS).content.decode()
    assert re.search(rf'mcpsession/{short.pk}/change/.*?field-state_label">expired<', page, re.S)


def test_a_delete_inside_a_transaction_terminates_once_it_commits(admin_user: Any) -> None:
    from django.contrib import admin
    from django.db import transaction
    from django.test import RequestFactory

    session = live_session()
    request = RequestFactory().post("/")
    request.user = admin_user
    with transaction.atomic():
        admin.site._registry[McpSession].delete_model(request, session)
        assert ping(session) == 200  # not yet: terminating now would wait on this transaction
    assert ping(session) == 404


def test_a_server_no_longer_mounted_is_judged_by_the_global_timings(admin_client: Client
                                                                    ) -> None:
    retired = row(mcp_settings.SESSION_TTL + mcp_settings.SESSION_INDEX_THROTTLE + 5)
    McpSession.objects.filter(pk=retired.pk).update(server="retired")
    assert listed(admin_client, state="expired") == [str(retired.pk)]
    assert listed(admin_client, state="idle") == []
