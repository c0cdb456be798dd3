"""COMMAND_CONCURRENCY and COMMAND_QUEUE through a live server that allows one command process
and one waiting call: the next call is refused at once, in band."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from tests.e2e.helpers import RawClient, meta, modern_headers
from tests.e2e.test_changes import StreamReader

LOG = {"io.modelcontextprotocol/logLevel": "info"}
TOOL = "patient_library_report"


@pytest.fixture
def limited(live_mcp_server) -> Iterator[RawClient]:
    """The conformance tools on a server with COMMAND_CONCURRENCY=1 and COMMAND_QUEUE=1."""
    call_command("loaddata", "demo", verbosity=0)
    client = RawClient(live_mcp_server.url + "/one-command/mcp")
    yield client
    client.close()


def start(client: RawClient, request_id: str, arguments: dict) -> StreamReader:
    body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {
        "name": TOOL, "arguments": arguments, "_meta": meta(**LOG)}}
    return StreamReader("POST", client.url, modern_headers("tools/call", TOOL), body)


def logged(stream: StreamReader, text: str) -> bool:
    return any(m.get("method") == "notifications/message" and text in m["params"]["data"]
               for m in stream.messages)


def answered(stream: StreamReader) -> bool:
    return any("result" in m or "error" in m for m in stream.messages)


def test_one_runs_one_waits_and_the_third_is_refused_at_once(limited):
    first = start(limited, "one-1", {"title": "first", "delay": 0.3})
    first.wait_for(lambda m: "first (pid=" in str(m.get("params", {}).get("data")))
    second = start(limited, "one-2", {"title": "second"})
    second.wait_for(lambda m: m.get("method") == "notifications/message"
                    and "Waiting for a free command slot" in m["params"]["data"])
    third = limited.modern("tools/call", {"name": TOOL, "arguments": {"title": "third"}}).result
    text = third["content"][0]["text"]
    assert third["isError"] and "COMMAND_CONCURRENCY=1" in text and "COMMAND_QUEUE=1" in text
    second_started = logged(second, "second (pid=")
    assert not answered(first), "the first call ended too early for this test to tell"
    assert not second_started, "the waiting call started while the first one still ran"
    assert "result" in first.wait_for(lambda m: m.get("id") == "one-1", seconds=30)
    done = second.wait_for(lambda m: m.get("id") == "one-2", seconds=30)["result"]
    assert not done["isError"] and done["content"][0]["text"].startswith("second (pid=")
    first.close()
    second.close()
