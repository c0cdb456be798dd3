"""The README's setup, followed literally in a fresh venv from the built wheel, serves its tool."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.packaging.conftest import ROOT, Dist, clean_env, run

pytestmark = pytest.mark.packaging

README = ROOT / "README.md"
# The docs' placeholders: a checkout of this repository, and the dist/ that `make dist` fills.
CHECKOUT = "/path/to/mcp-django"
DIST_URL = f"file://{CHECKOUT}/dist/"
# Each Python block of the setup names its file and what to do with it on its first line.
FILE_HEADER = re.compile(
    r"# (?P<path>[\w/]+\.py) — (?P<how>add at the end|the whole file|a new file)\b")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELLS = ("bash", "sh", "shell", "console")


def setup_section() -> str:
    """README.md from `## Ten-minute setup` to the next second-level heading."""
    text = README.read_text()
    start = text.index("\n## Ten-minute setup\n")
    return text[start:text.index("\n## ", start + 1)]


def install_lines() -> list[str]:
    """Every `pip install …` in README.md and docs/*.md, in code blocks or inline code."""
    found: set[str] = set()
    for path in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        for language, body in FENCE.findall(text):
            if language in SHELLS:
                found.update(line.strip() for line in body.splitlines()
                             if line.strip().startswith("pip install "))
        found.update(re.findall(r"`(pip install [^`]+)`", text))
    return sorted(found)


@dataclass
class Site:
    """A new project directory, its venv, and what following the README left behind."""

    root: Path
    venv: Path
    wheel: Path
    outputs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    serve: list[str] = field(default_factory=list)
    url: str = ""

    @property
    def env(self) -> dict[str, str]:
        """A shell with the venv active, as the README's reader has."""
        return clean_env(VIRTUAL_ENV=str(self.venv),
                         PATH=f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}")

    @property
    def token(self) -> str:
        [created] = [done for line, done in self.outputs.items() if "mcp_token create" in line]
        return created.stdout.strip()

    def substitute(self, line: str) -> str:
        """The placeholders made real: this test's dist directory and this checkout."""
        return line.replace(DIST_URL, self.wheel.parent.as_uri() + "/").replace(
            CHECKOUT, str(ROOT))

    def shell(self, line: str) -> subprocess.CompletedProcess[str]:
        return run(["bash", "-c", self.substitute(line)], cwd=self.root, env=self.env)


def follow_commands(site: Site, body: str) -> None:
    """Runs each command of a shell block; `daphne …` is kept for `serving()`."""
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("daphne "):
            site.serve = shlex.split(line, comments=True)[1:]
        else:
            site.outputs[line] = site.shell(line)


def follow_file(site: Site, body: str) -> None:
    """Writes or extends the file a Python block names on its first line."""
    header = FILE_HEADER.match(body)
    assert header, f"a setup block without a '# <file>.py — <what to do>' line:\n{body}"
    path = site.root / header["path"]
    assert path.exists() == (header["how"] != "a new file"), (header["how"], path)
    if header["how"] == "add at the end":
        path.write_text(path.read_text() + "\n" + body)
    else:
        path.write_text(body)


def follow_readme(site: Site) -> None:
    for language, body in FENCE.findall(setup_section()):
        if language in SHELLS:
            follow_commands(site, body)
        elif language == "python":
            follow_file(site, body)


def first_answer(url: str, log: Path) -> None:
    """Blocks until daphne answers: the connection waits in the listen backlog until then."""
    metadata = url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
    try:
        status = httpx.get(metadata, timeout=120).status_code
    except httpx.TransportError as exc:
        raise AssertionError(f"daphne did not answer ({exc!r}):\n{log.read_text()}") from exc
    assert status == 200, log.read_text()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(site: Site) -> Iterator[str]:
    """The README's daphne command on a socket this test bound to a free loopback port."""
    assert site.serve, "the setup never says how to serve the project (`daphne …`)"
    log = site.root.parent / "daphne.log"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    command = [str(site.venv / "bin" / "daphne"), "--fd", str(listener.fileno()), *site.serve]
    with listener, log.open("wb") as out:
        process = subprocess.Popen(command, cwd=site.root, env=site.env, stdout=out,
                                   stderr=subprocess.STDOUT, pass_fds=[listener.fileno()])
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        first_answer(url, log)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def site(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A venv with the wheel, a project made by the README's steps, served by daphne."""
    base = tmp_path_factory.mktemp("first-day")
    site = Site(root=base / "site", venv=base / "venv", wheel=dist.wheel)
    site.root.mkdir()
    run([sys.executable, "-m", "venv", str(site.venv)])
    follow_readme(site)
    with serving(site) as url:
        site.url = url
        yield site


def test_the_readme_installs_the_wheel_not_a_checkout(site: Site) -> None:
    done = run([str(site.venv / "bin" / "python"), "-c",
                "import mcp_django; print(mcp_django.__file__)"], cwd=site.root.parent)
    assert done.stdout.startswith(str(site.venv)), done.stdout


def test_the_new_project_passes_its_system_checks(site: Site) -> None:
    done = site.shell("python manage.py check")
    assert "System check identified no issues" in done.stdout + done.stderr, done.stderr


def test_the_token_is_a_bearer_token(site: Site) -> None:
    assert re.fullmatch(r"mcp_[0-9a-f]+_[\w-]+", site.token), site.token


def test_without_the_token_the_answer_is_401(site: Site) -> None:
    response = httpx.post(site.url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                          headers={"Accept": "application/json, text/event-stream"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer resource_metadata=")


def test_the_readme_client_calls_the_tool(site: Site) -> None:
    """client.py as the README wrote it, run with the official SDK of this checkout's venv."""
    done = run([sys.executable, "client.py", site.url, site.token], cwd=site.root)
    assert done.stdout.strip() == "{'result': 5}"


@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "revision"), [("legacy", "2025-11-25"),
                                                ("2026-07-28", "2026-07-28")])
async def test_the_official_client_calls_the_tool_in_both_eras(site: Site, mode: str,
                                                               revision: str) -> None:
    headers = {"Authorization": f"Bearer {site.token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60)) as http, Client(
            streamable_http_client(site.url, http_client=http), mode=mode) as client:
        tools = await client.list_tools()
        result = await client.call_tool("add", {"a": 2, "b": 3})
        assert client.protocol_version == revision
    assert {tool.name for tool in tools.tools} == {"add", "slow_report"}
    assert result.structured_content == {"result": 5}


@pytest.mark.parametrize("line", install_lines())
def test_every_install_line_in_the_docs_resolves(site: Site, line: str) -> None:
    """Each one as written (placeholders filled in), resolved by pip without installing."""
    site.shell(line.replace("pip install ", "pip install --dry-run --quiet ", 1))
