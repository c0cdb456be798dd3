"""Who the process serves as: `--user`, `MCP_DJANGO["STDIO_USER"]`, or anonymous only where
the server allows it; every refusal is exit code 2 with one line on stderr."""

from __future__ import annotations

import subprocess

import pytest

from tests.stdio.child import ROOT, command


def refused(env: dict[str, str], server: str, user: str | None = None) -> str:
    done = subprocess.run(command(server, user), cwd=ROOT, env=env, input=b"",
                          capture_output=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, b"")
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_no_user_refused_when_anonymous_callers_are_not_allowed(stdio_env):
    line = refused(stdio_env, "stdio_private")
    assert line == ("CommandError: Server 'stdio_private' does not allow anonymous callers: "
                    "pass --user USERNAME or set MCP_DJANGO['STDIO_USER']")


@pytest.mark.parametrize("user", ["nobody", "retired"])
def test_unknown_or_inactive_user_refused(stdio_env, alice, user):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("retired", is_active=False)
    assert refused(stdio_env, "stdio_fixtures", user) == \
        f"CommandError: No active user {user!r}"


def test_unknown_server_refused(stdio_env):
    line = refused(stdio_env, "nope")
    assert line.startswith("CommandError: No MCP server 'nope'; known: ")
    assert "stdio_fixtures" in line


def test_user_option_is_the_principal(spawn, alice):
    child = spawn("stdio_private", user="alice")
    child.initialize()
    whoami = child.request(1, "tools/call", {"name": "whoami", "arguments": {}})
    assert whoami["result"]["content"][0]["text"] == "alice"
    names = {tool["name"] for tool in child.request(2, "tools/list")["result"]["tools"]}
    assert "whoami" in names and "editors_only" not in names
    hidden = child.request(3, "tools/call", {"name": "editors_only", "arguments": {}})
    assert "error" in hidden or hidden["result"]["isError"]
    assert child.close() == 0


def test_stdio_user_setting_used_without_option(spawn, editor):
    child = spawn("stdio_private", MCP_STDIO_TEST_USER="editor")
    child.initialize()
    called = child.request(1, "tools/call", {"name": "editors_only", "arguments": {}})
    assert called["result"]["content"][0]["text"] == "edited"
    assert child.close() == 0
    assert "mcp_stdio: serving 'stdio_private' as editor" in child.errors()


def test_anonymous_allowed_where_the_server_allows_it(spawn):
    child = spawn("stdio_fixtures")
    child.initialize()
    whoami = child.request(1, "tools/call", {"name": "whoami", "arguments": {}})
    assert whoami["result"]["content"][0]["text"] == "anonymous"
    assert child.close() == 0
    assert "mcp_stdio: serving 'stdio_fixtures' as anonymous" in child.errors()


def test_permission_changes_apply_and_a_deactivated_user_is_refused(spawn, alice):
    from django.contrib.auth.models import Permission

    child = spawn("stdio_rechecked", user="alice")  # PRINCIPAL_RECHECK_SECONDS = 0
    child.initialize()

    def tools(request_id: int) -> set[str]:
        return {tool["name"] for tool in child.request(request_id, "tools/list")["result"][
            "tools"]}

    assert "editors_only" not in tools(1)
    alice.user_permissions.add(Permission.objects.get(codename="change_book"))
    assert "editors_only" in tools(2)
    alice.is_active = False
    alice.save()
    assert child.request(3, "tools/list")["error"] == {
        "code": -32600, "message": "Invalid request: user 'alice' is no longer active"}
    assert child.close() == 0
