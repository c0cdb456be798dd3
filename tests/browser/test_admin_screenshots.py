"""The admin pages in a real headless Chromium: styled, showing their data; screenshots taken."""

# Debian's `chromium` driven by npm's `playwright-core` in .tools/ (`make browser-deps`). The
# screenshots go to a temporary folder; MCP_UPDATE_SCREENSHOTS=1 copies them to docs/img/.

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from mcp_django.models import McpSession, McpTask, McpToken
from mcp_django.testing.live import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MCP_CHROMIUM", "/usr/bin/chromium")
TOOLS = Path(os.environ.get("MCP_TOOLS", ROOT / ".tools"))
NODE = os.environ.get("MCP_NODE", str(TOOLS / "node_modules/node/bin/node"))
PLAYWRIGHT = TOOLS / "node_modules/playwright-core"
SCRIPT = Path(__file__).with_name("admin_pages.js")
DOCS_IMG = ROOT / "docs/img"
PASSWORD = "pw-for-browser-tests"
UNSTYLED = {None, "", "transparent", "rgba(0, 0, 0, 0)"}
ACCEPT = "application/json, text/event-stream"


def require_browser() -> None:
    """A missing browser fails loudly: these tests are never skipped."""
    missing = [name for name, where in (("chromium", Path(CHROMIUM)), ("Node 22", Path(NODE)),
                                        ("playwright-core", PLAYWRIGHT)) if not where.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `make browser-deps` (Debian's chromium, "
                    f"npm's playwright-core in {TOOLS})")


def open_session(url: str, client: str, version: str, token: str | None = None) -> str:
    """A real legacy session of the live server; its id."""
    headers = {"Content-Type": "application/json", "Accept": ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"roots": {"listChanged": True}},
        "clientInfo": {"name": client, "version": version}}}
    response = httpx.post(url, json=body, headers=headers, timeout=20)
    assert response.status_code == 200, response.text
    return response.headers["mcp-session-id"]


def make_sessions(base: str, token: str) -> dict[str, McpSession]:
    """Four sessions, one per state: active (a user's), idle, expired and terminated."""
    ids = {"active": open_session(base + "/mcp", "claude-desktop", "0.12.3", token),
           "idle": open_session(base + "/conformance/mcp", "mcp-inspector", "0.17.0"),
           "expired": open_session(base + "/conformance/mcp", "vscode-copilot", "1.104.0"),
           "terminated": open_session(base + "/conformance/mcp", "cursor", "1.6.2")}
    now = timezone.now()
    McpSession.objects.filter(session_id=ids["active"]).update(
        created_at=now - timedelta(minutes=25), last_seen=now - timedelta(seconds=20))
    McpSession.objects.filter(session_id=ids["idle"]).update(
        created_at=now - timedelta(minutes=48), last_seen=now - timedelta(minutes=9))
    McpSession.objects.filter(session_id=ids["expired"]).update(
        created_at=now - timedelta(hours=5), last_seen=now - timedelta(hours=3))
    headers = {"MCP-Protocol-Version": "2025-11-25", "Mcp-Session-Id": ids["terminated"]}
    assert httpx.delete(base + "/conformance/mcp", headers=headers).status_code == 200
    return {state: McpSession.objects.get(session_id=sid) for state, sid in ids.items()}


def make_tasks(session: McpSession) -> dict[str, McpTask]:
    now = timezone.now()
    report = {"content": [{"type": "text", "text": "3 books overdue:\n- Dune\n- Emma\n- Ulysses"}],
              "isError": False}
    common = {"server": "default", "era": "legacy", "session_id": session.session_id,
              "user": session.user, "principal": session.principal}
    return {
        "completed": McpTask.objects.create(
            task_id=uuid.uuid4().hex, tool="overdue_report", arguments={"days": 14},
            status="completed", result=report, created_at=now - timedelta(minutes=7),
            updated_at=now - timedelta(minutes=7) + timedelta(seconds=83), **common),
        "working": McpTask.objects.create(
            task_id=uuid.uuid4().hex, tool="reindex_catalogue", arguments={"full": True},
            status="working", status_message="412 of 1,380 books",
            created_at=now - timedelta(seconds=95), updated_at=now, **common),
        "anonymous": McpTask.objects.create(
            task_id=uuid.uuid4().hex, server="conformance", principal="anonymous:7f3a9c",
            tool="test_slow", arguments={"seconds": 2}, status="failed",
            error={"code": -32603, "message": "Tool failed"},
            created_at=now - timedelta(hours=2), updated_at=now - timedelta(hours=2)),
    }


def plan_for(base: str, out: Path, data: dict[str, Any]) -> dict[str, Any]:
    active, task = data["sessions"]["active"], data["tasks"]["completed"]
    pages = [
        {"name": "admin-sessions", "path": "/admin/mcp_django/mcpsession/"},
        {"name": "admin-session", "path": f"/admin/mcp_django/mcpsession/{active.pk}/change/"},
        {"name": "admin-tasks", "path": "/admin/mcp_django/mcptask/"},
        {"name": "admin-task", "path": f"/admin/mcp_django/mcptask/{task.pk}/change/"},
        {"name": "admin-tokens", "path": "/admin/mcp_django/mcptoken/"},
        {"name": "admin-token-added", "path": "/admin/mcp_django/mcptoken/add/",
         "fill": {"#id_name": "ci-runner", "#id_user": str(data["reader"].pk)},
         "submit": "input[name=_save]"},
    ]
    return {"playwright": str(PLAYWRIGHT), "chromium": CHROMIUM,
            "userDataDir": str(out / "profile"), "baseUrl": base, "username": "admin",
            "password": PASSWORD, "outDir": str(out), "pages": pages}


def run_browser(plan: dict[str, Any], out: Path) -> dict[str, dict[str, Any]]:
    plan_file = out / "plan.json"
    plan_file.write_text(json.dumps(plan))
    done = subprocess.run([NODE, str(SCRIPT), str(plan_file)], capture_output=True, text=True,
                          timeout=180, check=False, cwd=ROOT)
    assert done.returncode == 0, f"the browser script failed:\n{done.stderr}"
    return {page["name"]: page for page in json.loads(done.stdout)["pages"]}


def expected_texts(data: dict[str, Any]) -> dict[str, list[str]]:
    sessions, tasks = data["sessions"], data["tasks"]
    token = McpToken.objects.get(name="ci-runner")
    return {
        "admin-sessions": ["claude-desktop", "mcp-inspector", "vscode-copilot", "cursor",
                           "active", "idle", "expired", "terminated", "seconds ago"],
        "admin-session": [sessions["active"].session_id, "Terminate now", "reader",
                          "2 tasks of this session", "1 token of reader", '"listChanged": true'],
        "admin-tasks": ["overdue_report", "reindex_catalogue", "anonymous:7f3a9c", "1 min 23 s",
                        "so far"],
        "admin-task": [tasks["completed"].task_id, sessions["active"].session_id, "1 min 23 s",
                       "- Ulysses", '"days": 14'],
        "admin-tokens": ["laptop", f"mcp_{data['laptop'].prefix}_…", "ago"],
        "admin-token-added": [f"ci-runner (mcp_{token.prefix}_…)", "Copy it now",
                              f"mcp_{token.prefix}_"],
    }


def check(pages: dict[str, dict[str, Any]], data: dict[str, Any]) -> None:
    assert any(200 in page["cssStatuses"] for page in pages.values()), "admin/css/base.css"
    for name, texts in expected_texts(data).items():
        page = pages[name]
        assert page["status"] == 200, (name, page["status"])
        assert page["headerBackground"] not in UNSTYLED, f"{name} is unstyled"
        for text in texts:
            assert text in page["text"], f"{name}: no {text!r} in\n{page['text'][:2000]}"
        assert not re.search(r"\bSave\b", page["text"]), f"{name} shows a Save button"
        assert Path(page["screenshot"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def save_screenshots(pages: dict[str, dict[str, Any]]) -> None:
    if os.environ.get("MCP_UPDATE_SCREENSHOTS") != "1":
        return
    DOCS_IMG.mkdir(exist_ok=True)
    for page in pages.values():
        shutil.copyfile(page["screenshot"], DOCS_IMG / Path(page["screenshot"]).name)


@pytest.fixture
def admin_server(django_db_setup: None) -> Iterator[LiveServer]:
    """The test project under daphne, a process of its own (what `live_mcp_server` starts, but
    fresh: adding a token writes a LogEntry naming a content type, and a long-lived server's
    cached content-type ids are stale once earlier tests flushed the database)."""
    from django.conf import settings

    require_browser()
    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
           "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"])}
    with LiveServer("tests.project.asgi:application", env=env) as server:
        yield server


def test_admin_pages_in_chromium(admin_server: LiveServer, tmp_path: Path) -> None:
    base = admin_server.url
    users = get_user_model().objects
    users.create_superuser("admin", "admin@example.com", PASSWORD)
    reader = users.create_user("reader")
    laptop, secret = McpToken.issue(reader, "laptop")
    sessions = make_sessions(base, secret)
    assert sessions["active"].user == reader
    data = {"reader": reader, "laptop": laptop, "sessions": sessions,
            "tasks": make_tasks(sessions["active"])}
    pages = run_browser(plan_for(base, tmp_path, data), tmp_path)
    check(pages, data)
    save_screenshots(pages)
