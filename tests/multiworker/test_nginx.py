"""docs/deploy/nginx.conf in front of two workers: round robin, streaming, conformance."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from mcp_django.testing import free_port
from tests.conformance.test_conformance import NODE, SCENARIO, SUITE, run_suite
from tests.e2e.helpers import LegacySession, RawClient

ROOT = Path(__file__).resolve().parents[2]
MAIN = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def render_site(ports: list[int], listen: int) -> str:
    """The documented config with this test's ports."""
    site = (ROOT / "docs/deploy/nginx.conf").read_text()
    servers = "\n".join(f"    server 127.0.0.1:{port};" for port in ports)
    site = re.sub(r"(upstream mcp_workers \{\n)(?:    server [^\n]*\n)+", rf"\g<1>{servers}\n",
                  site)
    assert site.count("listen 127.0.0.1:8080;") == 1
    return site.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")


@pytest.fixture(scope="module")
def front(workers):
    binary = shutil.which("nginx")
    if binary is None:
        pytest.fail("nginx is required (make test installs Debian's nginx-light)")
    tmp = Path(tempfile.mkdtemp(prefix="mcp-nginx-"))
    tmp.chmod(0o777)
    port = free_port()
    (tmp / "site.conf").write_text(render_site([w.port for w in workers], port))
    (tmp / "nginx.conf").write_text(MAIN.format(tmp=tmp))
    process = subprocess.Popen([binary, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, (tmp / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def posts_served(worker) -> int:
    return worker.log().count('"POST /conformance/mcp"')


def test_requests_alternate_between_workers_without_stickiness(front, workers):
    client = RawClient(front + "/conformance/mcp")
    before = [posts_served(w) for w in workers]
    session = client.initialize("2025-11-25")
    for n in range(10):
        answer = LegacySession(client, session.id, session.version).request(
            "tools/call", {"name": "echo", "arguments": {"text": str(n)}})
        assert answer.result["content"][0]["text"] == str(n)
    time.sleep(0.2)
    served = [posts_served(w) - b for w, b in zip(workers, before, strict=True)]
    assert all(count >= 4 for count in served), served  # both workers took part
    client.close()


def test_sse_flows_through_unbuffered(front):
    client = RawClient(front + "/conformance/mcp")
    session = client.initialize("2025-11-25")
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "test_slow", "arguments": {"seconds": 2}, "_meta": {"progressToken": "n"}}}
    started = time.monotonic()
    with httpx.stream("POST", client.url, json=body, headers=session.headers(),
                      timeout=10) as response:
        for chunk in response.iter_text():
            if "notifications/progress" in chunk:
                assert time.monotonic() - started < 1.5, "the stream was buffered"
                break
    client.close()


@pytest.mark.parametrize("revision", ["2025-11-25", "2026-07-28"])
def test_conformance_through_the_round_robin_pair(front, revision, tmp_path):
    if not (Path(NODE).exists() and Path(SUITE).exists()):
        pytest.fail("Node 22 and the conformance suite are missing: run `make conformance`")
    report = run_suite(front + "/conformance/mcp", revision, tmp_path)
    scenarios = {name: mark for mark, name, _p, _f in SCENARIO.findall(report)}
    assert len(scenarios) > 25, report
    assert not [name for name, mark in scenarios.items() if mark == "✗"], report
