"""The official conformance suite (npm @modelcontextprotocol/conformance) against the demo.

Runs `conformance server --requirements <revision>` against a daphne process serving
`demo_project.asgi` at /conformance/mcp. `make test` installs Node 22 and the suite into
.tools/; running this file without them fails with instructions (never skips).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from mcp_django.testing import LiveServer

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
NODE = os.environ.get("MCP_NODE", str(ROOT / ".tools/node_modules/node/bin/node"))
SUITE = os.environ.get("MCP_CONFORMANCE", str(
    ROOT / ".tools/node_modules/@modelcontextprotocol/conformance/dist/index.js"))

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    if not (Path(NODE).exists() and Path(SUITE).exists()):
        pytest.fail("Node 22 and the conformance suite are missing: run `make conformance` "
                    "(or set MCP_NODE and MCP_CONFORMANCE)")
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env = {"DJANGO_SETTINGS_MODULE": "demo_project.settings", "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([os.sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                   cwd=ROOT, env={**os.environ, **env}, check=True)
    with LiveServer("demo_project.asgi:application", env=env) as server:
        yield server


SCENARIO = re.compile(r"^([✓✗]) ([\w-]+): (\d+) passed, (\d+) failed", re.M)
UNSCORED = re.compile(r"^\s+[✓✗] ([\w-]+) \(", re.M)


MUST_PASS = {
    "2025-11-25": {"server-sse-polling": 3, "server-session-lifecycle": 3,
                   "tools-call-sampling": 2, "tools-call-elicitation": 2},
    "2026-07-28": {"server-stateless": 30, "tasks-lifecycle": 9, "tasks-mrtr-input": 4,
                   "tasks-mrtr-composition": 2, "input-required-result-multi-round": 4,
                   "http-header-validation": 14, "http-custom-header-server-validation": 10},
}


def run_suite(url: str, revision: str, output: Path) -> str:
    command = [NODE, SUITE, "server", "--url", url, "--requirements", revision,
               "-o", str(output)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    return completed.stdout + completed.stderr


def expected_failures(revision: str) -> set[str]:
    text = (HERE / f"expected-failures.{revision}.yml").read_text()
    return set(re.findall(r"^\s+- ([\w-]+)", text, re.M))


@pytest.mark.parametrize("revision", ["2025-11-25", "2026-07-28"])
def test_conformance_scored_scenarios(demo_server, revision, tmp_path):
    """Failures must be exactly the expected ones: a new failure or a stale entry fails.

    Unscored scenarios count too (tasks-*, server-sse-polling, server-session-lifecycle, the
    pending header and schema scenarios): this project passes them, and they must stay passing.
    """
    report = run_suite(demo_server.url + "/conformance/mcp", revision, tmp_path)
    print(report)
    scenarios = {name: mark for mark, name, _passed, _failed in SCENARIO.findall(report)}
    passed = {name: int(count) for _mark, name, count, _failed in SCENARIO.findall(report)}
    assert len(scenarios) > 25, report
    unscored = set(UNSCORED.findall(report.split("Not scored", 1)[-1]))
    assert unscored, report  # the report format is still the one this test parses
    failing = {name for name, mark in scenarios.items() if mark == "✗"}
    assert failing == expected_failures(revision), report
    for name, minimum in MUST_PASS[revision].items():  # warnings show as ✓ with fewer checks
        assert passed.get(name, 0) >= minimum, f"{name}: {passed.get(name)} checks passed"
