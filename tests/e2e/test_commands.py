"""Management commands as tools: schema from argparse, live output, timeout and cancellation
stop the process, CommandError in band."""

from __future__ import annotations

import os
import re
import time

import pytest
from django.core.management import call_command

from tests.e2e.helpers import meta, modern_headers
from tests.e2e.test_changes import StreamReader

LOG = {"io.modelcontextprotocol/logLevel": "info"}


@pytest.fixture(autouse=True)
def books(live_mcp_server):
    call_command("loaddata", "demo", verbosity=0)


def tool(raw, name: str) -> dict:
    return next(t for t in raw.modern("tools/list").result["tools"] if t["name"] == name)


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def pid_of(messages: list[dict]) -> int:
    for message in messages:
        if message.get("method") == "notifications/message":
            found = re.search(r"pid=(\d+)", str(message["params"]["data"]))
            if found:
                return int(found.group(1))
    raise AssertionError("no pid line yet")


def test_only_allowlisted_commands_become_tools_with_argparse_schemas(raw):
    names = {t["name"] for t in raw.modern("tools/list").result["tools"]}
    assert {"quick_library_report", "patient_library_report"} <= names
    assert not any(n.endswith(("_migrate", "_flush", "_shell")) for n in names)
    schema = tool(raw, "quick_library_report")["inputSchema"]
    props = schema["properties"]
    assert props["genre"]["anyOf"][0]["enum"] == ["fiction", "science", "history", "poetry"]
    assert props["delay"]["default"] == 0.0 and props["fail"]["default"] is False
    assert props["title"]["description"] == "Heading of the report"
    assert schema["additionalProperties"] is False


def test_output_streams_live_and_is_returned(raw):
    body = {"jsonrpc": "2.0", "id": "cmd-1", "method": "tools/call", "params": {
        "name": "patient_library_report", "arguments": {"genre": "fiction", "delay": 0.3},
        "_meta": meta(**LOG)}}
    stream = StreamReader("POST", raw.url, modern_headers("tools/call", "patient_library_report"),
                          body)
    first = stream.wait_for(lambda m: m.get("method") == "notifications/message")
    assert "pid=" in first["params"]["data"]
    assert not any("result" in m for m in stream.messages)  # the command is still running
    final = stream.wait_for(lambda m: m.get("id") == "cmd-1")
    text = final["result"]["content"][0]["text"]
    assert "fiction  Invisible Cities" in text and "4 book(s)" in text
    logs = [m for m in stream.messages if m.get("method") == "notifications/message"]
    assert [m["params"]["level"] for m in logs][-1] == "warning"  # stderr


def test_a_command_error_is_an_in_band_tool_error(raw):
    result = raw.modern("tools/call", {"name": "patient_library_report",
                                       "arguments": {"fail": True}}).result
    assert result["isError"] and "The report failed on purpose" in result["content"][0]["text"]


def test_timeout_stops_the_process(raw):
    body = {"jsonrpc": "2.0", "id": "cmd-2", "method": "tools/call", "params": {
        "name": "quick_library_report", "arguments": {"delay": 1.0}, "_meta": meta(**LOG)}}
    stream = StreamReader("POST", raw.url, modern_headers("tools/call", "quick_library_report"),
                          body)
    stream.wait_for(lambda m: m.get("method") == "notifications/message")
    pid = pid_of(stream.messages)
    final = stream.wait_for(lambda m: m.get("id") == "cmd-2")
    assert "timed out after 2 s" in final["result"]["content"][0]["text"]
    assert gone(pid, 2), f"process {pid} still runs after the timeout"


def test_client_disconnect_stops_the_process(raw):
    body = {"jsonrpc": "2.0", "id": "cmd-3", "method": "tools/call", "params": {
        "name": "patient_library_report", "arguments": {"delay": 2.0}, "_meta": meta(**LOG)}}
    stream = StreamReader("POST", raw.url, modern_headers("tools/call", "patient_library_report"),
                          body)
    stream.wait_for(lambda m: m.get("method") == "notifications/message")
    pid = pid_of(stream.messages)
    stream.close()
    assert gone(pid, 5), f"process {pid} still runs after the client went away"


def test_notifications_cancelled_stops_the_process(raw):
    session = raw.initialize("2025-06-18")
    session.request("logging/setLevel", {"level": "info"})
    body = {"jsonrpc": "2.0", "id": "cmd-4", "method": "tools/call", "params": {
        "name": "patient_library_report", "arguments": {"delay": 2.0}}}
    stream = StreamReader("POST", raw.url, session.headers(), body, revision="2025-06-18")
    stream.wait_for(lambda m: m.get("method") == "notifications/message")
    pid = pid_of(stream.messages)
    session.notify("notifications/cancelled", {"requestId": "cmd-4"})
    assert gone(pid, 5), f"process {pid} still runs after notifications/cancelled"


def test_a_long_command_becomes_a_task(raw):
    from tests.e2e.test_approval import poll

    caps = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
    created = raw.modern("tools/call", {"name": "patient_library_report",
                                        "arguments": {"genre": "science", "delay": 0.3}},
                         capabilities=caps).result
    assert created["resultType"] == "task"
    done = poll(raw, created["taskId"], "completed", caps)
    assert "science  Cosmos" in done["result"]["content"][0]["text"]


@pytest.mark.asyncio
async def test_the_sdk_client_reads_the_output_as_plain_text_in_a_2025_session(
        conformance_url):
    """2025-11-25 tools §Tool Result: the stdout is one text block, no structuredContent."""
    from mcp import Client

    from demo_project.library.models import Book

    async with Client(conformance_url, mode="legacy") as client:
        assert client.protocol_version == "2025-11-25"
        result = await client.call_tool("patient_library_report", {"genre": "science"})
    books = [f"{b.genre:8} {b.title}" async for b in
             Book.objects.filter(genre="science").order_by("title")]
    lines = result.content[0].text.split("\n")
    assert not result.is_error and result.structured_content is None
    assert re.fullmatch(r"Library report \(pid=\d+\)", lines[0]), lines
    assert sorted(lines[1:]) == sorted([*books, f"{len(books)} book(s)"])
