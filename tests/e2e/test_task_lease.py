"""A task whose worker dies is reported failed once its lease expires, not left working."""

from __future__ import annotations

import os
import signal
import time
import uuid

from mcp_django.testing import LiveServer
from tests.e2e.helpers import RawClient
from tests.e2e.test_approval import poll
from tests.e2e.test_auth import token_for

CAPS = {"extensions": {"io.modelcontextprotocol/tasks": {}}, "elicitation": {}}


def test_task_of_a_killed_worker_fails_after_its_lease(live_mcp_server):
    from django.conf import settings

    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
           "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"])}
    doomed = LiveServer("tests.project.asgi:application", env=env).start()
    credentials = {"Authorization": f"Bearer {token_for('lease-owner')}"}  # no ANONYMOUS_TASKS
    survivor = RawClient(live_mcp_server.url + "/leased/mcp")
    survivor.http.headers.update(credentials)
    try:
        worker = RawClient(doomed.url + "/leased/mcp")
        worker.http.headers.update(credentials)
        created = worker.modern("tools/call", {"name": "test_wait_for_approval", "arguments": {
            "token": uuid.uuid4().hex, "work": 0.5}}, capabilities=CAPS).result
        assert created["resultType"] == "task"
        poll(survivor, created["taskId"], "input_required", CAPS)  # visible from any worker
        worker.close()
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait(5)
        started = time.monotonic()
        failed = poll(survivor, created["taskId"], "failed", CAPS, seconds=10)
        assert time.monotonic() - started < 5  # lease 1 s, renewed at most every 1/3 s
        assert "lease expired" in failed["statusMessage"]
        assert failed["error"]["code"] == -32603
    finally:
        survivor.close()
        doomed.stop()
