"""The official `mcp` SDK client against a real daphne server, in both eras."""

from __future__ import annotations

import warnings
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.recording import RecordingTransport, recording_client


class Inbox:
    def __init__(self) -> None:
        self.logs: list[Any] = []
        self.progress: list[float] = []

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params.data)

    async def on_progress(self, progress: float, total: float | None, message: str | None
                          ) -> None:
        self.progress.append(progress)


async def exercise(client: Client, inbox: Inbox) -> None:
    tools = await client.list_tools()
    assert {"echo", "test_tool_with_progress"} <= {tool.name for tool in tools.tools}
    echoed = await client.call_tool("echo", {"text": "hello"})
    assert echoed.content[0].text == "hello" and not echoed.is_error
    progress = await client.call_tool("test_tool_with_progress", {},
                                      progress_callback=inbox.on_progress)
    assert progress.content[0].text == "Progress test completed"
    assert inbox.progress == [0, 50, 100]
    logged = await client.call_tool("test_tool_with_logging", {})
    assert logged.content[0].text == "Logging test completed"
    resource = await client.read_resource("test://static-text")
    assert resource.contents[0].text == "This is the content of the static text resource."
    prompt = await client.get_prompt("test_prompt_with_arguments", {"arg1": "a", "arg2": "b"})
    assert "arg1='a'" in prompt.messages[0].content.text


@pytest.mark.asyncio
async def test_sdk_client_legacy_session(conformance_url):
    inbox, transport = Inbox(), RecordingTransport()
    async with recording_client(transport) as http:
        stream = streamable_http_client(conformance_url, http_client=http)
        async with Client(stream, mode="legacy", logging_callback=inbox.on_log) as client:
            assert client.protocol_version == "2025-11-25"
            with warnings.catch_warnings():  # the SDK deprecates setLevel (2026 has no sessions)
                warnings.simplefilter("ignore")
                await client.set_logging_level("info")
            await exercise(client, inbox)
    assert inbox.logs == ["Tool execution started", "Tool processing data",
                          "Tool execution completed"]
    assert transport.validate("2025-11-25") > 10


@pytest.mark.asyncio
async def test_sdk_client_modern_stateless(conformance_url):
    inbox, transport = Inbox(), RecordingTransport()
    async with recording_client(transport) as http:
        stream = streamable_http_client(conformance_url, http_client=http)
        async with Client(stream, mode="2026-07-28", log_level="info",
                          logging_callback=inbox.on_log) as client:
            assert client.protocol_version == "2026-07-28"
            await exercise(client, inbox)
    assert inbox.logs == ["Tool execution started", "Tool processing data",
                          "Tool execution completed"]
    assert transport.validate("2026-07-28") > 5
    sent = [request for request, _kind, _body in transport.exchanges if request]
    assert all("initialize" != request.get("method") for request in sent)


@pytest.mark.asyncio
async def test_sdk_client_auto_mode_picks_modern(conformance_url):
    """A dual-era client probing with server/discover stays modern (V-12)."""
    async with Client(conformance_url) as client:
        assert client.protocol_version == "2026-07-28"
        assert (await client.call_tool("echo", {"text": "auto"})).content[0].text == "auto"
