"""The TypeScript SDKs as hosts: `StdioClientTransport` of the v1 client
(`@modelcontextprotocol/sdk` 1.x) and of the v2 client (`@modelcontextprotocol/client` 2.x),
installed by the Makefile into .tools/, each starting `manage.py mcp_stdio` as its child."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.stdio.child import ROOT, command

TOOLS = Path(os.environ.get("MCP_TOOLS", ROOT / ".tools"))
NODE = os.environ.get("MCP_NODE", str(TOOLS / "node_modules/node/bin/node"))
SDKS = {"v1": TOOLS / "node_modules/@modelcontextprotocol/sdk/package.json",
        "v2": TOOLS / "node_modules/@modelcontextprotocol/client/package.json"}


def require_node(sdk: str) -> None:
    if not Path(NODE).exists() or not SDKS[sdk].exists():
        pytest.fail(f"Node 22 or the TypeScript SDK {sdk} is missing from {TOOLS}: run "
                    "`make stdio-clients` (or set MCP_NODE and MCP_TOOLS)")


def child(env: dict[str, str], server: str) -> str:
    program, *args = command(server)
    return json.dumps({"command": program, "args": args, "env": env, "cwd": str(ROOT)})


def run_host(sdk: str, mode: str, env: dict[str, str], marker: Path) -> dict:
    require_node(sdk)
    host_env = {"PATH": os.environ.get("PATH", ""), "MCP_TOOLS": str(TOOLS),
                "MCP_STDIO_MAIN": child(env, "conformance"),
                "MCP_STDIO_FIXTURES": child(env, "stdio_fixtures"),
                "MCP_STDIO_MARKER": str(marker)}
    done = subprocess.run([NODE, str(ROOT / "tests/stdio/ts_client.mjs"), sdk, mode],
                          env=host_env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(("sdk", "mode"), [("v1", "legacy"), ("v2", "legacy"),
                                           ("v2", "modern")])
def test_typescript_sdk_end_to_end(stdio_env, tmp_path, sdk, mode):
    seen = run_host(sdk, mode, stdio_env, tmp_path / "marker")
    assert {"echo", "test_tool_with_progress", "test_elicitation"} <= set(seen["tools"])
    assert seen["echo"] == "hi"
    assert seen["progress"] == [0, 50, 100]
    assert seen["progressText"] == "Progress test completed"
    assert seen["logText"] == "Logging test completed"
    assert seen["logs"] == ["Tool execution started", "Tool processing data",
                            "Tool execution completed"]
    assert seen["elicited"] == ["Who are you?"]
    assert seen["elicitText"].startswith("User response: action=accept")
    assert seen["resource"] == "This is the content of the static text resource."
    assert (seen["cancel"], seen["afterCancel"], seen["marker"]) == \
        ("aborted", "anonymous", "cancelled")
    expected = {"legacy": "2025-11-25", "modern": "2026-07-28"}[mode]
    assert seen["version"] == (None if sdk == "v1" else expected)  # 1.x: no getter, no 2026
