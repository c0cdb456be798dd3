"""The approval flow end to end in three shapes, and cancelling a tool that waits for input."""

from __future__ import annotations

import time
import uuid

import httpx
import httpx2
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from demo_project.library.models import Book
from tests.e2e.helpers import RawClient, meta, modern_headers
from tests.e2e.test_changes import StreamReader

TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
FORM = {"elicitation": {}}


def authorized(client: RawClient) -> httpx2.AsyncClient:
    """An HTTP client for the official SDK, sending the RawClient's Authorization header."""
    return httpx2.AsyncClient(headers={"Authorization": client.http.headers["Authorization"]},
                              timeout=httpx2.Timeout(30, read=300))


def archived(genre: str) -> int:
    return Book.objects.filter(genre=genre, archived=True).count()


async def approve(context, params) -> types.ElicitResult:
    assert "Archive 2 science book(s)" in params.message
    return types.ElicitResult(action="accept", content={"approve": True})


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_approval_with_the_sdk_client(archivist, mode):
    """Legacy: elicitation on the call's SSE stream. Modern: input_required and a retry."""
    progress: list[float] = []

    async def on_progress(value, total, message):
        progress.append(value)

    async with authorized(archivist) as http, Client(
            streamable_http_client(archivist.url, http_client=http), mode=mode,
            elicitation_callback=approve) as client:
        result = await client.call_tool("archive_genre", {"genre": "science"},
                                        progress_callback=on_progress)
    assert result.content[0].text.startswith("Archived 2 science book(s)")
    assert await Book.objects.filter(genre="science", archived=True).acount() == 2
    assert progress and progress[-1] == 3


def test_approval_declined_in_a_legacy_session_changes_nothing(archivist):
    session = archivist.initialize("2025-11-25", capabilities=FORM)
    from tests.e2e.test_input import legacy_call_in_thread, post_answer, wait_for

    sink: dict = {}
    thread = legacy_call_in_thread(archivist, session, "archive_genre", {"genre": "history"},
                                   "approve-1", sink)
    asked = wait_for(sink, "asked")
    assert post_answer(archivist, session, asked["id"], {"action": "decline"}) == 202
    thread.join(10)
    assert sink["messages"][-1]["result"]["content"][0]["text"] == \
        "Aborted: no history book was archived."
    assert archived("history") == 0


def test_approval_as_a_multi_round_request(archivist):
    first = archivist.modern("tools/call", {"name": "archive_genre",
                                          "arguments": {"genre": "poetry"}}, capabilities=FORM)
    assert first.result["resultType"] == "input_required"
    assert archived("poetry") == 0
    done = archivist.modern("tools/call", {
        "name": "archive_genre", "arguments": {"genre": "poetry"},
        "inputResponses": {"approval": {"action": "accept", "content": {"approve": True}}},
        "requestState": first.result["requestState"]}, capabilities=FORM)
    assert done.result["content"][0]["text"].startswith("Archived 1 poetry book(s)")
    assert archived("poetry") == 1


def poll(client: RawClient, task_id: str, status: str, capabilities: dict,
         seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = client.modern("tasks/get", {"taskId": task_id}, capabilities=capabilities).result
        if result["status"] == status:
            return result
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} never reached {status}: {result}")


def test_approval_as_a_task(archivist):
    """Poll, answer with tasks/update, complete (SEP-2663)."""
    caps = {**TASKS, **FORM}
    created = archivist.modern("tools/call", {"name": "archive_genre",
                                              "arguments": {"genre": "fiction"}},
                               capabilities=caps).result
    assert created["resultType"] == "task" and created["status"] == "working"
    waiting = poll(archivist, created["taskId"], "input_required", caps)
    assert waiting["inputRequests"]["approval"]["method"] == "elicitation/create"
    ack = archivist.modern("tasks/update", {"taskId": created["taskId"], "inputResponses": {
        "approval": {"action": "accept", "content": {"approve": True}}}}, capabilities=caps)
    assert ack.result["resultType"] == "complete"
    done = poll(archivist, created["taskId"], "completed", caps)
    assert done["result"]["content"][0]["text"].startswith("Archived 4 fiction book(s)")
    assert archived("fiction") == 4
    from mcp_django.models import McpTask

    row = McpTask.objects.get(task_id=created["taskId"])
    assert (row.status, row.tool) == ("completed", "archive_genre")
    assert row.principal == f"user:{row.user_id}" and row.user_id is not None


def test_tasks_are_private_to_their_owner_and_unknown_ids_look_alike(archivist):
    caps = {**TASKS, **FORM}
    unknown = archivist.modern("tasks/get", {"taskId": "nope"}, capabilities=caps)
    assert unknown.error["code"] == -32602
    no_extension = archivist.modern("tasks/get", {"taskId": "nope"}, capabilities=FORM)
    assert no_extension.status == 400 and no_extension.error["code"] == -32021


# -- cancelling a tool that waits for input ---------------------------------------------------
def status_of(client: RawClient, token: str) -> str:
    return client.modern("tools/call", {"name": "test_slow_status",
                                        "arguments": {"token": token}}
                         ).result["content"][0]["text"]


def wait_state(client: RawClient, token: str, state: str, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status_of(client, token) == state:
            return
        time.sleep(0.1)
    raise AssertionError(f"{token} is {status_of(client, token)}, not {state}")


def test_disconnect_cancels_a_tool_waiting_for_approval_without_resumable_streams(raw):
    """2025-06-18 streams cannot be resumed, so a dropped stream cancels its request."""
    session = raw.initialize("2025-06-18", capabilities=FORM)
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "test_wait_for_approval", "arguments": {"token": token}}}
    stream = StreamReader("POST", raw.url, session.headers(), body, revision="2025-06-18")
    stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    stream.close()
    wait_state(raw, token, "cancelled")


def test_a_dropped_2025_11_25_stream_keeps_its_request_running(raw):
    """L-34, C-1: not a cancel; the answer still lands and the result waits for a resume."""
    from tests.e2e.test_input import post_answer

    session = raw.initialize("2025-11-25", capabilities=FORM)
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": "drop-1", "method": "tools/call", "params": {
        "name": "test_wait_for_approval", "arguments": {"token": token}}}
    stream = StreamReader("POST", raw.url, session.headers(), body, revision="2025-11-25")
    asked = stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    last_id = [line[4:] for line in stream.raw.splitlines() if line.startswith("id: ")][-1]
    stream.close()
    time.sleep(0.3)
    assert status_of(raw, token) == "running"
    assert post_answer(raw, session, asked["id"], {"action": "accept",
                                                   "content": {"approve": True}}) == 202
    wait_state(raw, token, "finished")
    resumed = StreamReader("GET", raw.url, {**session.headers(), "Accept": "text/event-stream",
                                            "Last-Event-ID": last_id}, revision="2025-11-25")
    final = resumed.wait_for(lambda m: m.get("id") == "drop-1")
    assert final["result"]["content"][0]["text"] == "approval: accept"


def test_notifications_cancelled_stops_a_tool_waiting_for_approval(raw):
    session = raw.initialize("2025-06-18", capabilities=FORM)
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": "wait-1", "method": "tools/call", "params": {
        "name": "test_wait_for_approval", "arguments": {"token": token}}}
    stream = StreamReader("POST", raw.url, session.headers(), body, revision="2025-06-18")
    stream.wait_for(lambda m: m.get("method") == "elicitation/create")
    session.notify("notifications/cancelled", {"requestId": "wait-1"})
    wait_state(raw, token, "cancelled")
    assert stream.done.wait(5)
    assert not any(m.get("id") == "wait-1" for m in stream.messages)  # L-51: no response


def test_tasks_cancel_stops_a_task_waiting_for_approval(raw):
    caps = {**TASKS, **FORM}
    token = uuid.uuid4().hex
    created = raw.modern("tools/call", {"name": "test_wait_for_approval",
                                        "arguments": {"token": token, "work": 0.5}},
                         capabilities=caps).result
    assert created["resultType"] == "task"
    poll(raw, created["taskId"], "input_required", caps)
    ack = raw.modern("tasks/cancel", {"taskId": created["taskId"]}, capabilities=caps)
    assert ack.result == {"resultType": "complete", "_meta": ack.result["_meta"]}
    poll(raw, created["taskId"], "cancelled", caps)
    wait_state(raw, token, "cancelled")
    again = raw.modern("tasks/cancel", {"taskId": created["taskId"]}, capabilities=caps)
    assert again.result["resultType"] == "complete"  # terminal: idempotent ack
    assert httpx and meta and modern_headers


@pytest.mark.asyncio
async def test_approval_as_a_task_with_the_sdk_client(archivist):
    """The third shape with the official client: a task it polls and answers."""
    from tests.e2e.sdk_tasks import TasksClient

    async def approve_request(key: str, request: dict) -> dict:
        assert request["method"] == "elicitation/create"
        return {"action": "accept", "content": {"approve": True}}

    async def never(context, params):
        raise AssertionError("a task asks through tasks/get, not through a retry round")

    tasks = TasksClient(approve_request)
    async with authorized(archivist) as http, Client(
            streamable_http_client(archivist.url, http_client=http), mode="2026-07-28",
            elicitation_callback=never, extensions=[tasks]) as client:
        result = await client.call_tool("archive_genre", {"genre": "fiction"})
    assert result.content[0].text.startswith("Archived 4 fiction book(s)")
    assert "input_required" in tasks.seen and tasks.seen[-1] == "completed"
    assert await Book.objects.filter(genre="fiction", archived=True).acount() == 4


@pytest.mark.asyncio
async def test_sdk_client_cancelling_a_call_stops_the_waiting_tool(raw):
    """The SDK cancels a legacy call that waits for the user: the tool is cancelled too."""
    import anyio

    token = uuid.uuid4().hex
    asked = anyio.Event()

    async def hang(context, params):
        asked.set()
        await anyio.sleep(60)

    async with Client(raw.url, mode="legacy", elicitation_callback=hang) as client:
        with anyio.move_on_after(10):
            async with anyio.create_task_group() as group:
                async def call() -> None:
                    await client.call_tool("test_wait_for_approval", {"token": token})
                group.start_soon(call)
                await asked.wait()
                group.cancel_scope.cancel()
        await anyio.to_thread.run_sync(wait_state, raw, token, "cancelled")


@pytest.mark.asyncio
async def test_sdk_client_with_a_tampered_request_state(raw):
    """Driving the rounds by hand with the SDK: a tampered requestState is refused."""
    from mcp.shared.exceptions import MCPError

    async with Client(raw.url, mode="2026-07-28", elicitation_callback=approve) as client:
        first = await client.session.call_tool("test_input_required_result_tampered_state", {},
                                               allow_input_required=True)
        assert isinstance(first, types.InputRequiredResult)
        with pytest.raises(MCPError) as refused:
            await client.session.call_tool(
                "test_input_required_result_tampered_state", {},
                input_responses={"confirm": types.ElicitResult(action="accept",
                                                               content={"ok": True})},
                request_state=first.request_state + "-TAMPERED", allow_input_required=True)
        assert refused.value.error.code == -32602
