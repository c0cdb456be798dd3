"""Command arguments from a hostile client are data: they never become Django's global options,
and a failing command's traceback stays on the server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from mcp_django.models import McpToken
from tests.e2e.helpers import RawClient, meta, modern_headers
from tests.e2e.test_changes import StreamReader

LOG = {"io.modelcontextprotocol/logLevel": "info"}
PROJECT = str(Path(__file__).resolve().parents[2])
SERVER_PATHS = (PROJECT, sys.prefix, os.path.dirname(os.__file__))


@pytest.fixture(autouse=True)
def books(live_mcp_server):
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def hostile_module(tmp_path: Path) -> tuple[Path, Path]:
    """A directory with a settings module that leaves a marker file when it is imported."""
    marker = tmp_path / "imported.marker"
    (tmp_path / "evil_settings.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n")
    return tmp_path, marker


@pytest.fixture
def editor(live_mcp_server) -> Iterator[RawClient]:
    """A client of the token-protected default server, as a user with library.change_book."""
    user = get_user_model().objects.create_user("command-editor")
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="library", codename__in=["view_book", "change_book"]))
    client = RawClient(live_mcp_server.url + "/secure/mcp")
    client.http.headers["Authorization"] = "Bearer " + McpToken.issue(user, "t")[1]
    yield client
    client.close()


def call(client: RawClient, tool: str, arguments: dict) -> dict:
    return client.modern("tools/call", {"name": tool, "arguments": arguments}).result


def streamed_call(client: RawClient, tool: str, arguments: dict, request_id: str
                  ) -> list[dict]:
    """Every message of a call that asked for log notifications (stdout/stderr lines)."""
    body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {
        "name": tool, "arguments": arguments, "_meta": meta(**LOG)}}
    stream = StreamReader("POST", client.url, modern_headers("tools/call", tool), body)
    stream.wait_for(lambda m: m.get("id") == request_id, seconds=30)
    stream.close()
    return stream.messages


def assert_no_server_internals(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text
    for path in SERVER_PATHS:
        assert path not in text, (path, text)


@pytest.mark.parametrize("value", ["--settings=no_such_module", "--version", "--help",
                                   "--traceback", "-v3", "--pythonpath=/"])
def test_option_like_values_arrive_as_literal_data_when_they_start_with_dashes(raw, value):
    """A positional after `--` and an option as one `--opt=value` element are plain values."""
    result = call(raw, "patient_library_report", {"title": value, "footer": value})
    assert not result["isError"], result
    lines = result["content"][0]["text"].splitlines()
    assert lines[0].startswith(f"{value} (pid=") and value in lines[1:], lines


def test_an_attacker_chosen_pythonpath_imports_nothing(raw, hostile_module):
    folder, marker = hostile_module
    result = call(raw, "patient_library_report", {"title": "--settings=evil_settings",
                                                   "footer": f"--pythonpath={folder}"})
    assert not marker.exists(), "the child imported a module from the client's --pythonpath"
    assert not result["isError"], result
    for name, value in (("settings", "evil_settings"), ("pythonpath", str(folder)),
                        ("traceback", True), ("verbosity", 3), ("skip_checks", False)):
        refused = call(raw, "patient_library_report", {name: value})
        assert refused["isError"] and name in refused["content"][0]["text"], refused
    assert not marker.exists()


def test_positional_args_cannot_reach_the_global_options(editor, hostile_module):
    """`check`'s app labels: a label that looks like an option is just an unknown label."""
    folder, marker = hostile_module
    result = call(editor, "command_check",
                  {"args": [f"--pythonpath={folder}", "--settings=evil_settings"]})
    assert not marker.exists(), "the child imported a module from the client's --pythonpath"
    text = result["content"][0]["text"]
    assert result["isError"] and text.startswith("manage.py check failed"), result
    assert_no_server_internals(text)


def test_a_crashing_command_sends_no_traceback_to_the_client(raw, live_mcp_server):
    """time.sleep(-1) raises ValueError in the child: the client hears only that it failed;
    the full stderr goes to the `mcp_django.commands` log of the server."""
    messages = streamed_call(raw, "patient_library_report", {"delay": -1.0}, "crash-1")
    final = messages[-1]["result"]
    assert final["isError"] and final["content"][0]["text"] == \
        "manage.py library_report failed (exit 1)"
    for message in messages:
        assert_no_server_internals(str(message))
    assert "sleep length must be non-negative" in live_mcp_server.log()


def test_a_command_error_returns_only_its_own_message(raw):
    result = call(raw, "patient_library_report", {"fail": True})
    assert result["isError"] and result["content"][0]["text"] == \
        "manage.py library_report failed (exit 1): The report failed on purpose"
