"""Record the three approval flows of the demo's `archive_genre` tool as wire transcripts.

    .venv/bin/python scripts/record_approval_flows.py > docs/approval-flow-transcripts.md

Starts the demo under daphne on a free loopback port with a throw-away database, signs in as the
demo's editor (archive_genre needs `library.change_book`), drives each flow with raw HTTP and
prints every request and response (long ids and the token shortened).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcp_django.testing import LiveServer  # noqa: E402

ACCEPT = "application/json, text/event-stream"
APPROVE = {"action": "accept", "content": {"approve": True}}
out: list[str] = []
long_ids: list[str] = []  # task ids, shortened wherever they appear


def shorten(text: str) -> str:
    text = re.sub(r"Bearer mcp_([0-9a-f]+)_[A-Za-z0-9_-]+", r"Bearer mcp_\1_…", text)
    text = re.sub(r'"requestState": ?"([^"]{12})[^"]*"', r'"requestState": "\1…"', text)
    for value in long_ids:
        text = text.replace(value, value[:8] + "…")
    return re.sub(r"\b([0-9a-f]{8})[0-9a-f]{8,24}\b", r"\1…", text)


def record(title: str, headers: dict[str, str], body: Any, status: int, kind: str,
           text: str) -> None:
    shown = {k: v for k, v in headers.items()
             if k.lower().startswith("mcp") or k.lower() == "authorization"}
    out.append(f"**→ POST {title}**" + (f" `{shorten(json.dumps(shown))}`" if shown else ""))
    out.append("```json\n" + shorten(json.dumps(body)) + "\n```")
    out.append(f"**← {status} {kind}**")
    out.append("```\n" + (shorten(text.strip()) or "(empty)") + "\n```\n")


def post(http: httpx.Client, url: str, body: Any, headers: dict[str, str], title: str
         ) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Accept": ACCEPT, **headers}
    response = http.post(url, json=body, headers=headers)
    record(title, {**dict(http.headers.items()), **headers}, body, response.status_code,
           response.headers.get("content-type", ""), response.text)
    return response


def modern(method: str, name: str) -> dict[str, str]:
    return {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, "Mcp-Name": name}


def meta(capabilities: dict[str, Any]) -> dict[str, Any]:
    return {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": capabilities}


def legacy_flow(http: httpx.Client, url: str) -> None:
    out.append("## 1. 2025-11-25 session: elicitation on the call's own SSE stream\n")
    init = post(http, url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
        "clientInfo": {"name": "transcript", "version": "1"}}}, {}, "initialize")
    session = {"Mcp-Session-Id": init.headers["mcp-session-id"],
               "MCP-Protocol-Version": "2025-11-25"}
    post(http, url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session,
         "notifications/initialized")
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "archive_genre", "arguments": {"genre": "science"},
        "_meta": {"progressToken": "p1"}}}
    headers = {"Content-Type": "application/json", "Accept": ACCEPT,
               **dict(http.headers.items()), **session}
    seen = {"text": ""}

    def read() -> None:
        with httpx.stream("POST", url, json=call, headers=headers, timeout=30) as response:
            seen["kind"] = response.headers.get("content-type", "")
            for chunk in response.iter_text():
                seen["text"] += chunk

    reader = threading.Thread(target=read)
    reader.start()
    while "elicitation/create" not in seen["text"]:
        time.sleep(0.05)
    asked = re.search(r'"id":"(mcp-[0-9a-f]+)","method":"elicitation/create"', seen["text"])
    record("tools/call: the stream so far", headers, call, 200, seen["kind"], seen["text"])
    post(http, url, {"jsonrpc": "2.0", "id": asked.group(1), "result": APPROVE}, session,
         "the user's answer, as a JSON-RPC response in the same session")
    reader.join()
    record("tools/call: the same stream, resumed after the answer, to its end", headers, call,
           200, seen["kind"], seen["text"])


def mrtr_flow(http: httpx.Client, url: str) -> None:
    out.append("## 2. 2026-07-28: input_required, then a retry carrying the answer\n")
    params = {"name": "archive_genre", "arguments": {"genre": "poetry"},
              "_meta": meta({"elicitation": {}})}
    first = post(http, url, {"jsonrpc": "2.0", "id": 10, "method": "tools/call",
                             "params": params}, modern("tools/call", "archive_genre"),
                 "tools/call")
    state = json.loads(first.text.strip().split("data: ")[-1])["result"]["requestState"]
    post(http, url, {"jsonrpc": "2.0", "id": 11, "method": "tools/call", "params": {
        **params, "inputResponses": {"approval": APPROVE}, "requestState": state}},
        modern("tools/call", "archive_genre"), "tools/call (retry)")


def task_flow(http: httpx.Client, url: str) -> None:
    out.append("## 3. 2026-07-28 with the tasks extension: poll, update, complete\n")
    caps = {"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}}
    created = post(http, url, {"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": {
        "name": "archive_genre", "arguments": {"genre": "fiction"}, "_meta": meta(caps)}},
        modern("tools/call", "archive_genre"), "tools/call")
    task_id = created.json()["result"]["taskId"]
    long_ids.append(task_id)
    get = {"jsonrpc": "2.0", "id": 21, "method": "tasks/get",
           "params": {"taskId": task_id, "_meta": meta(caps)}}
    while http.post(url, json=get, headers={"Content-Type": "application/json",
                                            "Accept": ACCEPT, **modern("tasks/get", task_id)}
                    ).json()["result"]["status"] != "input_required":
        time.sleep(0.1)
    post(http, url, get, modern("tasks/get", task_id), "tasks/get")
    post(http, url, {"jsonrpc": "2.0", "id": 22, "method": "tasks/update", "params": {
        "taskId": task_id, "inputResponses": {"approval": APPROVE}, "_meta": meta(caps)}},
        modern("tasks/update", task_id), "tasks/update")
    time.sleep(0.6)
    post(http, url, {**get, "id": 23}, modern("tasks/get", task_id), "tasks/get")


def main() -> None:
    db = Path(tempfile.mkdtemp()) / "demo.sqlite3"
    env = {"DJANGO_SETTINGS_MODULE": "demo_project.settings", "DATABASE_URL": f"sqlite:///{db}"}
    for command in (["migrate", "-v0"], ["loaddata", "demo", "-v0"], ["demo_users"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True,
                       env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    token = subprocess.run([sys.executable, "manage.py", "mcp_token", "create", "editor",
                            "--name", "transcript"], cwd=ROOT, check=True, text=True,
                           capture_output=True, env={**os.environ, **env}).stdout.strip()
    with LiveServer("demo_project.asgi:application", env=env) as server, \
            httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        url = server.url + "/mcp"
        out.append("# The approval flow on the wire\n")
        out.append("Recorded by `scripts/record_approval_flows.py` against the demo's "
                   "`archive_genre` tool. Ids are shortened with `…`.\n")
        for flow in (legacy_flow, mrtr_flow, task_flow):
            flow(http, url)
    print(shorten("\n".join(out)))


if __name__ == "__main__":
    main()
