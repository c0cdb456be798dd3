"""The official Python SDK (`mcp`) as the host: `stdio_client` starts `manage.py mcp_stdio` as
its child, in the legacy handshake era and in 2026-07-28 mode."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.stdio.child import ROOT, command

pytestmark = pytest.mark.asyncio


class Host:
    """What the SDK's callbacks received."""

    def __init__(self) -> None:
        self.logs: list[Any] = []
        self.progress: list[float] = []
        self.elicited: list[str] = []

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params.data)

    async def on_progress(self, progress: float, total: float | None, message: str | None
                          ) -> None:
        self.progress.append(progress)

    async def on_elicit(self, context: Any, params: types.ElicitRequestParams
                        ) -> types.ElicitResult:
        self.elicited.append(params.message)
        return types.ElicitResult(action="accept",
                                  content={"username": "ada", "email": "ada@example.com",
                                           "name": "Ada"})


@asynccontextmanager
async def sdk_client(env: dict[str, str], server: str, mode: str, host: Host,
                     user: str | None = None) -> AsyncIterator[Client]:
    program, *args = command(server, user)
    params = StdioServerParameters(command=program, args=args, env=env, cwd=ROOT)
    with tempfile.TemporaryFile() as errlog:  # the child's stderr (pytest's has no fd)
        transport = stdio_client(params, errlog=errlog)  # type: ignore[arg-type]
        async with Client(transport, mode=mode, logging_callback=host.on_log,
                          elicitation_callback=host.on_elicit, log_level="info",
                          read_timeout_seconds=30) as client:
            yield client


async def exercise(client: Client, host: Host) -> None:
    """List and call tools, with progress and logs; answer an elicitation; read a resource."""
    tools = await client.list_tools()
    assert {"echo", "test_tool_with_progress", "test_elicitation"} <= \
        {tool.name for tool in tools.tools}
    assert (await client.call_tool("echo", {"text": "hello"})).content[0].text == "hello"
    progress = await client.call_tool("test_tool_with_progress", {},
                                      progress_callback=host.on_progress)
    assert progress.content[0].text == "Progress test completed"
    assert host.progress == [0, 50, 100]
    logged = await client.call_tool("test_tool_with_logging", {})
    assert logged.content[0].text == "Logging test completed"
    assert host.logs == ["Tool execution started", "Tool processing data",
                         "Tool execution completed"]
    asked = await client.call_tool("test_elicitation", {"message": "Who are you?"})
    assert asked.content[0].text.startswith("User response: action=accept, content={'username"
                                            "': 'ada'")
    assert host.elicited == ["Who are you?"]
    resource = await client.read_resource("test://static-text")
    assert resource.contents[0].text == "This is the content of the static text resource."


async def cancel_long_call(client: Client, marker: Path) -> None:
    """Cancel `ticking` once it reports progress: the SDK sends notifications/cancelled."""
    started = anyio.Event()

    async def ticked(progress: float, total: float | None, message: str | None) -> None:
        started.set()

    async with anyio.create_task_group() as group:
        scope = anyio.CancelScope()

        async def call() -> None:
            with scope:
                await client.call_tool("ticking", {"marker": str(marker)},
                                       progress_callback=ticked)

        group.start_soon(call)
        with anyio.fail_after(15):
            await started.wait()
        scope.cancel()
    assert (await client.call_tool("whoami", {})).content[0].text == "anonymous"
    assert marker.read_text() == "cancelled"


async def test_python_sdk_legacy_session_end_to_end(stdio_env):
    host = Host()
    async with sdk_client(stdio_env, "conformance", "legacy", host) as client:
        assert client.protocol_version == "2025-11-25"
        with warnings.catch_warnings():  # the SDK deprecates setLevel (2026 has no sessions)
            warnings.simplefilter("ignore")
            await client.set_logging_level("info")
        await exercise(client, host)


async def test_python_sdk_modern_end_to_end(stdio_env):
    host = Host()
    async with sdk_client(stdio_env, "conformance", "2026-07-28", host) as client:
        assert client.protocol_version == "2026-07-28"
        await exercise(client, host)


async def test_python_sdk_auto_mode_picks_modern(stdio_env):
    async with sdk_client(stdio_env, "conformance", "auto", Host()) as client:
        assert client.protocol_version == "2026-07-28"
        assert (await client.call_tool("echo", {"text": "auto"})).content[0].text == "auto"


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_python_sdk_cancels_long_call(stdio_env, tmp_path, mode):
    async with sdk_client(stdio_env, "stdio_fixtures", mode, Host()) as client:
        await cancel_long_call(client, tmp_path / "marker")


async def test_python_sdk_modern_listen_hears_tool_changes(stdio_env):
    async with sdk_client(stdio_env, "conformance", "2026-07-28", Host()) as client:
        async with client.listen(tools_list_changed=True) as subscription:
            assert subscription.honored.tools_list_changed is True
            await client.call_tool("test_trigger_tool_change", {})
            with anyio.fail_after(15):
                event = await subscription.__anext__()
        assert type(event).__name__ == "ToolsListChanged"
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "test_dynamic_tool" in names


async def test_python_sdk_user_scopes_tools(stdio_env, alice, editor):
    for user, sees in (("alice", False), ("editor", True)):
        async with sdk_client(stdio_env, "stdio_private", "legacy", Host(), user) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert ("editors_only" in names) is sees
            assert (await client.call_tool("whoami", {})).content[0].text == user


