"""2025-11-25 tasks: task-augmented calls, tasks/get|result|list|cancel (checklist L-69..L-82)."""

from __future__ import annotations

import time
import uuid

from tests.e2e.test_changes import StreamReader

RELATED = "io.modelcontextprotocol/related-task"


def call_as_task(session, tool: str, arguments: dict, ttl: int | None = None):
    task = {"ttl": ttl} if ttl else {}
    return session.request("tools/call", {"name": tool, "arguments": arguments, "task": task})


def wait_status(session, task_id: str, status: str, seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        task = session.request("tasks/get", {"taskId": task_id}).result
        if task["status"] == status:
            return task
        time.sleep(0.1)
    raise AssertionError(f"{task_id} never became {status}")


def test_capabilities_and_task_support_in_2025_11_25_only(raw):
    """L-69, L-70."""
    new = raw.initialize("2025-11-25")
    tools = {tool["name"]: tool for tool in new.request("tools/list").result["tools"]}
    assert tools["slow_compute"]["execution"] == {"taskSupport": "optional"}
    assert tools["failing_job"]["execution"] == {"taskSupport": "required"}
    old = raw.initialize("2025-06-18")
    assert all("execution" not in tool for tool in old.request("tools/list").result["tools"])
    modern = raw.modern("tools/list").result["tools"]
    assert all("execution" not in tool for tool in modern)


def test_task_augmented_call_then_get_and_result(raw):
    """L-71, L-74, L-76: the result carries related-task meta."""
    session = raw.initialize("2025-11-25")
    created = call_as_task(session, "slow_compute", {"seconds": 0.3, "label": "t1"},
                           ttl=60_000).result["task"]
    assert created["status"] == "working" and created["ttl"] == 60_000
    assert session.request("tasks/get", {"taskId": created["taskId"]}).result["status"] in (
        "working", "completed")
    payload = session.request("tasks/result", {"taskId": created["taskId"]}).result
    assert payload["content"][0]["text"] == "t1 finished after 0.3 s"
    assert payload["_meta"][RELATED] == {"taskId": created["taskId"]}
    listed = session.request("tasks/list").result["tasks"]
    assert created["taskId"] in [task["taskId"] for task in listed]


def test_task_rules_for_required_and_forbidden_tools(raw):
    """L-72: a required tool needs `task`; a tool without task support refuses it."""
    session = raw.initialize("2025-11-25")
    required = session.request("tools/call", {"name": "failing_job", "arguments": {}})
    assert required.final["error"]["code"] == -32601
    forbidden = call_as_task(session, "echo", {"text": "x"})
    assert forbidden.final["error"]["code"] == -32601
    unknown = session.request("tasks/get", {"taskId": "nope"})
    assert unknown.final["error"]["code"] == -32602


def test_tool_error_fails_a_2025_task(raw):
    """L-80 (contrast S-78)."""
    session = raw.initialize("2025-11-25")
    created = call_as_task(session, "failing_job", {}).result["task"]
    failed = wait_status(session, created["taskId"], "failed")
    assert failed["statusMessage"]
    payload = session.request("tasks/result", {"taskId": created["taskId"]}).result
    assert payload["isError"] is True


def test_tasks_result_relays_the_tasks_question(raw):
    """L-77: while input_required, the question goes out on the tasks/result stream."""
    session = raw.initialize("2025-11-25", capabilities={"elicitation": {}})
    created = call_as_task(session, "confirm_delete", {"filename": "a.txt"}).result["task"]
    wait_status(session, created["taskId"], "input_required")
    body = {"jsonrpc": "2.0", "id": "result-1", "method": "tasks/result",
            "params": {"taskId": created["taskId"]}}
    stream = StreamReader("POST", raw.url, session.headers(), body, revision="2025-11-25")
    asked = stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    assert asked["params"]["_meta"][RELATED] == {"taskId": created["taskId"]}
    from tests.e2e.test_input import post_answer

    assert post_answer(raw, session, asked["id"],
                       {"action": "accept", "content": {"confirm": True}}) == 202
    final = stream.wait_for(lambda m: m.get("id") == "result-1")
    assert final["result"]["content"][0]["text"] == "Deleted a.txt"
    stream.validate()


def test_tasks_cancel_answers_with_the_cancelled_task(raw):
    """L-79: cancelled before the reply; a terminal task cannot be cancelled."""
    session = raw.initialize("2025-11-25")
    created = call_as_task(session, "slow_compute", {"seconds": 30, "label": uuid.uuid4().hex}
                           ).result["task"]
    cancelled = session.request("tasks/cancel", {"taskId": created["taskId"]}).result
    assert cancelled["status"] == "cancelled"
    again = session.request("tasks/cancel", {"taskId": created["taskId"]})
    assert again.final["error"]["code"] == -32602


def test_tasks_methods_need_a_2025_11_25_session(raw):
    session = raw.initialize("2025-06-18")
    assert session.request("tasks/list").final["error"]["code"] == -32601


def test_status_changes_reach_the_sessions_get_stream(raw):
    """L-82: notifications/tasks/status with the whole task."""
    session = raw.initialize("2025-11-25")
    stream = StreamReader("GET", raw.url, {**session.headers(), "Accept": "text/event-stream"},
                          revision="2025-11-25")
    time.sleep(0.3)
    created = call_as_task(session, "slow_compute", {"seconds": 0.2, "label": "n"}
                           ).result["task"]
    done = stream.wait_for(lambda m: m.get("method") == "notifications/tasks/status"
                           and m["params"]["status"] == "completed")
    assert done["params"]["taskId"] == created["taskId"]
    stream.close()
    session.delete()
