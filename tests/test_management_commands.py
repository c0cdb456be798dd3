"""mcp_tools, mcp_call and mcp_token from the shell."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from mcp_django.models import McpToken


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_mcp_tools_lists_every_server_as_json():
    listing = json.loads(run("mcp_tools", "--json"))
    assert {"default", "conformance"} <= set(listing)
    tools = {tool["name"]: tool for tool in listing["default"]["tools"]}
    assert tools["book_create"]["permissions"] == ["library.add_book"]
    assert tools["book_list"]["inputSchema"]["properties"]["filters"]
    assert listing["default"]["resourceTemplates"][0]["uriTemplate"] == "library://books/{book_id}"
    text = run("mcp_tools", "--server", "default")
    assert "tool     book_delete" in text and "[needs ['library.delete_book']]" in text


@pytest.mark.django_db(transaction=True)
def test_mcp_call_runs_a_tool_as_a_user():
    call_command("loaddata", "demo", verbosity=0)
    reader = get_user_model().objects.create_user("cli-reader")
    reader.user_permissions.set(Permission.objects.filter(codename="view_book"))
    reply = json.loads(run("mcp_call", "book_retrieve", "--args", '{"id": 3}',
                           "--user", "cli-reader"))
    assert reply["result"]["structuredContent"]["title"] == "Cosmos"
    with pytest.raises(SystemExit):  # hidden for this user: exit status 1
        run("mcp_call", "book_delete", "--args", '{"id": 3}', "--user", "cli-reader")
    with pytest.raises(CommandError):
        run("mcp_call", "book_list", "--args", "{not json")


@pytest.mark.django_db
def test_mcp_token_create_list_revoke():
    get_user_model().objects.create_user("token-owner")
    secret = run("mcp_token", "create", "token-owner", "--name", "ci", "--days", "7").strip()
    record = McpToken.objects.get(user__username="token-owner")
    assert secret.startswith(f"mcp_{record.prefix}_") and record.expires_at is not None
    assert secret not in run("mcp_token", "list")
    run("mcp_token", "revoke", record.prefix)
    record.refresh_from_db()
    assert not record.is_usable
    with pytest.raises(CommandError):
        run("mcp_token", "create", "nobody-here")
