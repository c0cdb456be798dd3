"""Every cross-worker path, with requests alternating between two workers (issue 4, §4 of the
architecture): sessions, answers, cancellations, change notifications, terminations, resumable
streams and tasks."""

from __future__ import annotations

import time
import uuid

from tests.e2e.test_approval import poll, wait_state
from tests.e2e.test_changes import StreamReader, listen
from tests.e2e.test_input import post_answer

TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}, "elicitation": {}}


def on(worker, session):
    """The same session, addressed to another worker."""
    from tests.e2e.helpers import LegacySession

    return LegacySession(worker, session.id, session.version)


def test_a_session_made_on_one_worker_works_on_the_other(a, b):
    session = a.initialize("2025-11-25")
    for worker in (b, a, b):
        answer = on(worker, session).request("tools/call", {"name": "echo",
                                                            "arguments": {"text": "rr"}})
        assert answer.result["content"][0]["text"] == "rr"
    assert on(b, session).delete().status_code == 200
    assert on(a, session).request("ping").status == 404


def test_an_answer_posted_to_the_other_worker_resumes_the_tool(a, b):
    session = a.initialize("2025-11-25", capabilities={"elicitation": {}})
    body = {"jsonrpc": "2.0", "id": "x-1", "method": "tools/call",
            "params": {"name": "test_elicitation", "arguments": {"message": "who?"}}}
    stream = StreamReader("POST", a.url, session.headers(), body, revision="2025-11-25")
    asked = stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    assert post_answer(b, on(b, session), asked["id"],
                       {"action": "accept", "content": {"username": "u", "email": "e@x.org"}}
                       ) == 202
    final = stream.wait_for(lambda m: m.get("id") == "x-1")
    assert "username" in final["result"]["content"][0]["text"]


def test_cancelling_on_the_other_worker_stops_the_request(a, b):
    session = a.initialize("2025-06-18", capabilities={"elicitation": {}})
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": "c-1", "method": "tools/call",
            "params": {"name": "test_wait_for_approval", "arguments": {"token": token}}}
    stream = StreamReader("POST", a.url, session.headers(), body, revision="2025-06-18")
    stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    on(b, session).notify("notifications/cancelled", {"requestId": "c-1"})
    wait_state(a, token, "cancelled")  # the state lives in worker A's memory


def test_changes_on_one_worker_reach_streams_on_the_other(a, b):
    session = a.initialize("2025-11-25")
    get_stream = StreamReader("GET", a.url, {**session.headers(), "Accept": "text/event-stream"},
                              revision="2025-11-25")
    listener = listen(a, "mw-1", {"toolsListChanged": True})
    listener.wait_for(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
    time.sleep(0.3)
    b.modern("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    get_stream.wait_for(lambda m: m.get("method") == "notifications/tools/list_changed")
    listener.wait_for(lambda m: m.get("method") == "notifications/tools/list_changed")
    b.modern("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    listener.close()
    on(b, session).delete()  # DELETE on B closes A's GET stream
    assert get_stream.done.wait(5), "the GET stream on the other worker stayed open"


def test_a_stream_resumes_on_the_other_worker(a, b):
    session = a.initialize("2025-11-25")
    started = on(a, session).request("tools/call", {"name": "test_reconnection", "arguments": {}})
    assert "retry:" in started.response.text and not started.messages
    last_id = [line[4:] for line in started.response.text.splitlines()
               if line.startswith("id: ")][-1]
    resumed = StreamReader("GET", b.url, {**on(b, session).headers(),
                                          "Accept": "text/event-stream",
                                          "Last-Event-ID": last_id}, revision="2025-11-25")
    final = resumed.wait_for(lambda m: "result" in m)
    assert final["result"]["content"][0]["text"] == "Reconnection test completed successfully"


def test_a_multi_round_request_finishes_on_the_other_worker(a, b):
    caps = {"elicitation": {}}
    first = a.modern("tools/call", {"name": "test_input_required_result_request_state",
                                    "arguments": {}}, capabilities=caps).result
    done = b.modern("tools/call", {
        "name": "test_input_required_result_request_state", "arguments": {},
        "inputResponses": {"confirm": {"action": "accept", "content": {"ok": True}}},
        "requestState": first["requestState"]}, capabilities=caps)
    assert done.result["content"][0]["text"] == "state-ok: confirmed"


def test_task_input_and_cancel_reach_the_runner_on_the_other_worker(a, b):
    created = a.modern("tools/call", {"name": "confirm_delete", "arguments": {
        "filename": "x.txt"}}, capabilities=TASKS).result
    poll(b, created["taskId"], "input_required", TASKS)
    b.modern("tasks/update", {"taskId": created["taskId"], "inputResponses": {
        "confirm": {"action": "accept", "content": {"confirm": True}}}}, capabilities=TASKS)
    done = poll(a, created["taskId"], "completed", TASKS)
    assert done["result"]["content"][0]["text"] == "Deleted x.txt"
    slow = a.modern("tools/call", {"name": "slow_compute", "arguments": {"seconds": 30}},
                    capabilities=TASKS).result
    started = time.monotonic()
    b.modern("tasks/cancel", {"taskId": slow["taskId"]}, capabilities=TASKS)
    poll(a, slow["taskId"], "cancelled", TASKS)
    assert time.monotonic() - started < 2


def test_admin_termination_on_one_worker_closes_streams_on_the_other(a, b, workers):
    import re

    import httpx
    from django.contrib.auth import get_user_model

    from mcp_django.models import McpSession

    get_user_model().objects.create_superuser("mw-admin", "a@example.com", "pw-mw")
    session = a.initialize("2025-11-25")
    stream = StreamReader("GET", a.url, {**session.headers(), "Accept": "text/event-stream"},
                          revision="2025-11-25")
    time.sleep(0.3)
    with httpx.Client(base_url=workers[1].url, timeout=20) as admin:
        def token(page):
            return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

        login = admin.get("/admin/login/")
        admin.post("/admin/login/", data={"csrfmiddlewaretoken": token(login),
                                          "username": "mw-admin", "password": "pw-mw"})
        pk = McpSession.objects.get(session_id=session.id).pk
        url = f"/admin/mcp_django/mcpsession/{pk}/terminate/"
        assert admin.post(url, data={"csrfmiddlewaretoken": token(admin.get(url))}
                          ).status_code == 302
    assert stream.done.wait(5), "the GET stream on the other worker stayed open"
    assert on(a, session).request("ping").status == 404
