"""docs/clients.md "Over HTTP", as written: the Python SDK, the TypeScript SDKs (1.x and 2.x),
the Inspector CLI and fastmcp list the tools of a token-only server with the token in the
header, each in the era the page says."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_django.models import McpSession
from tests.docblocks import ROOT, Block, section
from tests.e2e.test_auth import token_for

PAGE = ROOT / "docs/clients.md"
DOC_URL = "http://127.0.0.1:8000/mcp"
TOOLS = Path(os.environ.get("MCP_TOOLS", ROOT / ".tools"))
NODE = os.environ.get("MCP_NODE", str(TOOLS / "node_modules/node/bin/node"))
INSPECTOR = TOOLS / "inspector/node_modules/@modelcontextprotocol/inspector"
DEMO_TOOL = "search_books"  # a tool of the default registry any authenticated user sees


@pytest.fixture
def url(live_mcp_server) -> str:
    """The test project's token-only server (no anonymous callers)."""
    return live_mcp_server.url + "/secure/mcp"


def block(heading: str, index: int = 0) -> Block:
    return section(PAGE, heading)[index]


def script(folder: Path, source: Block) -> Path:
    """The file a block names on its first line, written as the block is."""
    header = source.header
    assert header and header["how"] == "a new file", f"{source.where}: no '# file — a new file'"
    path = folder / header["path"]
    path.write_text(source.body)
    return path


def run(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1]


def require(path: Path, what: str) -> None:
    if not Path(NODE).exists() or not path.exists():
        pytest.fail(f"{what} is missing from {TOOLS}: run `make http-clients` "
                    "(or set MCP_NODE and MCP_TOOLS)")


def node_folder(tmp_path: Path) -> Path:
    """A folder whose `node_modules` is .tools', so the blocks' bare imports resolve."""
    (tmp_path / "node_modules").symlink_to(TOOLS / "node_modules")
    return tmp_path


@pytest.mark.parametrize(("mode", "era"), [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
def test_the_python_sdk_block_lists_tools_with_the_token_in_its_era(url, tmp_path, mode, era):
    path = script(tmp_path, block("### Python SDK"))
    line = run([sys.executable, str(path), url, token_for(f"py-{mode}"), mode])
    assert line.startswith(f"{era} [") and repr(DEMO_TOOL) in line, line


def test_the_python_sdk_block_is_refused_without_a_token(url, tmp_path):
    path = script(tmp_path, block("### Python SDK"))
    done = subprocess.run([sys.executable, str(path), url, "mcp_nope_nope"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and DEMO_TOOL not in done.stdout


def test_the_typescript_v1_block_lists_tools_with_the_token_in_a_session(url, tmp_path):
    require(TOOLS / "node_modules/@modelcontextprotocol/sdk/package.json", "The TypeScript SDK 1.x")
    path = script(node_folder(tmp_path), block("### TypeScript SDK", 0))
    line = run([NODE, str(path), url, token_for("ts-v1")])
    assert DEMO_TOOL in line.split(), line
    assert McpSession.objects.filter(client_name="my-client", user__username="ts-v1",
                                     protocol_version="2025-11-25").exists()


@pytest.mark.parametrize(("pin", "era"), [(None, "2025-11-25"), ("2026-07-28", "2026-07-28")])
def test_the_typescript_v2_block_lists_tools_with_the_token_in_its_era(url, tmp_path, pin, era):
    require(TOOLS / "node_modules/@modelcontextprotocol/client/package.json",
            "The TypeScript client 2.x")
    path = script(node_folder(tmp_path), block("### TypeScript SDK", 1))
    line = run([NODE, str(path), url, token_for(f"ts-v2-{era}"), *([pin] if pin else [])])
    version, *tools = line.split()
    assert version == era and DEMO_TOOL in tools, line


def test_the_inspector_block_lists_tools_with_the_token_in_a_session(url):
    """The page's command with `npx @modelcontextprotocol/inspector` run from .tools (on
    Node 22: the Inspector needs 22.19 or newer)."""
    require(INSPECTOR / "package.json", "The MCP Inspector")
    command = " ".join(line.rstrip("\\").strip() for line in block("### MCP Inspector")
                       .body.strip().splitlines())
    entry = INSPECTOR / json.loads((INSPECTOR / "package.json").read_text())["bin"]["mcp-inspector"]
    prefix = "npx @modelcontextprotocol/inspector "
    assert command.startswith(prefix) and DOC_URL in command, command
    token = token_for("inspector")
    argv = [NODE, str(entry), *(arg.replace("$MCP_TOKEN", token) for arg in
                                shlex.split(command[len(prefix):].replace(DOC_URL, url)))]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert DEMO_TOOL in {tool["name"] for tool in json.loads(done.stdout)["tools"]}
    assert McpSession.objects.filter(client_name="inspector-cli", user__username="inspector",
                                     protocol_version="2025-11-25").exists()


def test_the_fastmcp_block_lists_tools_with_the_token_statelessly(url, tmp_path, mcp_token):
    """With the plugin's `mcp_token` (a superuser's, docs/testing.md): every tool."""
    path = script(tmp_path, block("### fastmcp"))
    line = run([sys.executable, str(path), url, mcp_token])
    assert line.startswith("2026-07-28 [") and repr("book_delete") in line, line
    assert not McpSession.objects.filter(user__username="mcp-pytest").exists()
