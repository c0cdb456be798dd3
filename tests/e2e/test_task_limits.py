"""Tasks against hostile clients: who may own tasks, how many, for how long (daphne e2e)."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.e2e.helpers import RawClient

SLOW = {"seconds": 30, "label": "held"}
TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}


def task_call(session, ttl: object = None, arguments: dict | None = None):
    task = {} if ttl is None else {"ttl": ttl}
    return session.request("tools/call", {"name": "slow_compute",
                                          "arguments": arguments or SLOW, "task": task})


def listed(session) -> list[str]:
    return [task["taskId"] for task in session.request("tasks/list").result["tasks"]]


@pytest.fixture
def leased(live_mcp_server):
    """A server on the settings' defaults for tasks: ANONYMOUS_TASKS is off."""
    client = RawClient(live_mcp_server.url + "/leased/mcp")
    yield client
    client.close()


# -- anonymous callers ------------------------------------------------------------------------
def test_anonymous_sessions_do_not_see_or_cancel_each_others_tasks(raw):
    mine, theirs = raw.initialize("2025-11-25"), raw.initialize("2025-11-25")
    task_id = task_call(mine).result["task"]["taskId"]
    assert task_id not in listed(theirs)
    for method in ("tasks/get", "tasks/cancel", "tasks/result"):
        assert theirs.request(method, {"taskId": task_id}).final["error"]["code"] == -32602
    assert task_id in listed(mine)
    assert mine.request("tasks/cancel", {"taskId": task_id}).result["status"] == "cancelled"


def test_anonymous_modern_task_call_runs_without_a_task_when_anonymous_tasks_is_off(leased):
    answer = leased.modern("tools/call", {"name": "slow_compute", "arguments": {
        "seconds": 0.5, "label": "inline"}}, capabilities=TASKS).result
    assert answer["resultType"] == "complete"
    assert answer["content"][0]["text"] == "inline finished after 0.5 s"


def test_anonymous_legacy_task_call_is_refused_when_anonymous_tasks_is_off(leased):
    session = leased.initialize("2025-11-25")
    error = task_call(session).final["error"]
    assert error["code"] == -32601 and "ANONYMOUS_TASKS" in error["message"]
    assert listed(session) == []


def test_tasks_list_is_not_advertised_to_sessionless_anonymous_callers(raw_stateless):
    capability = _capabilities(raw_stateless)["tasks"]
    assert "list" not in capability
    assert capability["requests"] == {"tools": {"call": {}}}


# -- TASKS_PER_PRINCIPAL ----------------------------------------------------------------------
def test_legacy_task_call_over_tasks_per_principal_is_refused(raw):
    session, other = raw.initialize("2025-11-25"), raw.initialize("2025-11-25")
    held = [task_call(session).result["task"]["taskId"] for _ in range(20)]
    refused = task_call(session).final["error"]
    assert refused["code"] == -32000 and "TASKS_PER_PRINCIPAL" in refused["message"]
    assert refused["data"] == {"setting": "TASKS_PER_PRINCIPAL", "limit": 20}
    assert "task" in task_call(other).result  # another owner has its own allowance
    assert session.request("tasks/cancel", {"taskId": held[0]}).result["status"] == "cancelled"
    assert "task" in task_call(session).result  # an ended task frees its slot


# -- ttl ---------------------------------------------------------------------------------------
def test_legacy_ttl_over_the_maximum_is_capped_at_task_ttl_ms(raw):
    session = raw.initialize("2025-11-25")
    created = task_call(session, ttl=10**15).result["task"]
    assert created["ttl"] == 3_600_000
    assert session.request("tasks/get", {"taskId": created["taskId"]}).result["ttl"] == 3_600_000


@pytest.mark.parametrize("ttl", [True, False, 0, -1, 1.5, "60000", [60000], {"ms": 1}],
                         ids=["true", "false", "zero", "negative", "float", "string", "list",
                              "object"])
def test_legacy_ttl_that_is_not_a_positive_integer_is_invalid_params(raw, ttl):
    session = raw.initialize("2025-11-25")
    error = task_call(session, ttl=ttl).final["error"]
    assert error["code"] == -32602 and "params.task.ttl" in error["message"]
    assert listed(session) == []


def test_task_past_its_ttl_leaves_tasks_list(raw):
    session = raw.initialize("2025-11-25")
    created = task_call(session, ttl=1500, arguments={"seconds": 0.05, "label": "brief"}
                        ).result["task"]
    assert created["taskId"] in listed(session)
    deadline = time.monotonic() + 10
    while created["taskId"] in listed(session):
        assert time.monotonic() < deadline, "an expired task is still listed"
        time.sleep(0.1)
    gone = session.request("tasks/get", {"taskId": created["taskId"]})
    assert gone.final["error"]["code"] == -32602


def _capabilities(client: RawClient) -> dict:
    body = {"jsonrpc": "2.0", "id": uuid.uuid4().hex, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "raw-tests", "version": "1.0"}}}
    answer = client.send(body, {"Content-Type": "application/json",
                                "Accept": "application/json, text/event-stream"})
    return answer.result["capabilities"]
