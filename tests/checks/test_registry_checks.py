"""E004/E007 from registering (toolset lookups, duplicates in either order), E011, and that
every mcp_django check message says what to fix (obj) and how (hint)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks.registry import registry
from django.test import override_settings

from demo_project.library.models import Book
from mcp_django.integrations.commands import CommandToolset
from mcp_django.integrations.toolsets import ModelToolset
from mcp_django.server import McpServer, servers

ROOT = Path(__file__).resolve().parents[2]
OAUTH = "mcp_django.integrations.auth.OAuth2Authentication"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def server() -> Iterator[McpServer]:
    server = McpServer("checks-registry")
    yield server
    servers.pop("checks-registry")


def mcp_checks() -> list:
    """mcp_django's own checks only (other apps' checks need the apps these tests remove)."""
    return [message for check in registry.get_checks() if check.__module__ == "mcp_django.checks"
            for message in check(None)]


def found(check_id: str) -> list:
    return [message for message in mcp_checks() if message.id == check_id]


class BookTools(ModelToolset):
    model = Book
    fields = ["id", "title"]


def book_list() -> str:
    return "a decorated tool named like the toolset's"


def test_unknown_ordering_and_filter_lookups_are_e004_when_declared(server):
    class Sloppy(ModelToolset):
        model = Book
        fields = ["id", "title"]
        filters = {"genre": ["exact", "nope"], "author": ["icontains"], "published": ["gte"]}
        ordering_fields = ["title", "popularity", "author__surname"]

    Sloppy.register(server.registry)
    [message] = found("mcp_django.E004")
    assert message.msg == (
        "Sloppy: unknown filter lookups ['genre__nope', 'author__icontains']; "
        "unknown ordering fields ['popularity', 'author__surname']")
    assert message.obj == f"{__name__}.{Sloppy.__qualname__}" and "get_lookup" in message.hint
    assert server.registry.tools == {}  # nothing half-registered


def test_known_ordering_paths_and_lookups_pass_when_declared(server):
    class Tidy(ModelToolset):
        model = Book
        fields = ["id", "title"]
        filters = {"genre": ["exact", "in", "isnull"], "author__name": ["icontains"],
                   "author": ["exact", "in"]}
        ordering_fields = ["title", "author__name"]
        default_ordering = "-published"

    Tidy.register(server.registry)
    assert found("mcp_django.E004") == []
    assert "book_list" in server.registry.tools


def test_a_decorated_tool_after_a_toolset_tool_of_its_name_is_e004_naming_both(server):
    BookTools.register(server.registry)
    assert server.tool(book_list) is book_list  # before: ConfigError at import
    [message] = found("mcp_django.E004")
    assert message.msg == (f"Duplicate tool 'book_list': {__name__}.BookTools.list and "
                           f"{__name__}.book_list (the first is kept)")
    assert message.obj == "McpServer('checks-registry')" and message.hint
    assert server.registry.tools["book_list"].func.__qualname__ == "BookTools.list"


def test_a_toolset_tool_after_a_decorated_tool_of_its_name_is_e004_naming_both(server):
    server.tool(book_list)
    BookTools.register(server.registry)
    [message] = found("mcp_django.E004")
    assert message.msg == (f"Duplicate tool 'book_list': {__name__}.book_list and "
                           f"{__name__}.BookTools.list (the first is kept)")
    assert message.obj == f"{__name__}.BookTools"
    assert "book_retrieve" in server.registry.tools  # the other actions are still served


def test_a_command_tool_twice_is_e004_naming_the_command_class(server):
    class Ops(CommandToolset):
        commands = ["check"]

    Ops.register(server.registry)
    Ops.register(server.registry)
    [message] = found("mcp_django.E004")
    assert f"{__name__}.{Ops.__qualname__}.commands['check']" in message.msg
    assert message.obj == f"{__name__}.{Ops.__qualname__}"


def test_an_unknown_command_is_e007_with_the_class_and_a_hint(server):
    class Ops(CommandToolset):
        commands = ["no_such_command"]

    Ops.register(server.registry)
    [message] = found("mcp_django.E007")
    assert message.obj == f"{__name__}.{Ops.__qualname__}" and message.hint


def test_manage_py_check_reports_a_clash_when_an_app_defines_both(tmp_path):
    """The import no longer crashes every command: `check` lists E004 and exits 1."""
    app = tmp_path / "clashapp"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "mcp.py").write_text(textwrap.dedent("""\
        from demo_project.library.models import Book
        from mcp_django import tool
        from mcp_django.integrations.toolsets import ModelToolset, toolset

        @toolset
        class ClashTools(ModelToolset):
            model = Book
            fields = ["id"]
            prefix = "clash_"

        @tool
        def clash_book_list() -> str:
            return "clash"
        """))
    (tmp_path / "clash_settings.py").write_text(
        "from tests.project.settings import *  # noqa\n"
        "INSTALLED_APPS = [*INSTALLED_APPS, 'clashapp']\n"
        "ROOT_URLCONF = 'demo_project.urls'\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clash_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "django", "check"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert ("McpServer('default'): (mcp_django.E004) Duplicate tool 'clash_book_list': "
            "clashapp.mcp.ClashTools.list and clashapp.mcp.clash_book_list (the first is kept)"
            "\n\tHINT: ") in done.stderr


def test_oauth_without_its_app_is_e011_for_settings_and_servers():
    apps = [app for app in settings.INSTALLED_APPS if app != "oauth2_provider"]
    with override_settings(INSTALLED_APPS=apps, MCP_DJANGO={
            "SESSION_CACHE_ALIAS": "mcp_sessions", "AUTHENTICATION_CLASSES": [OAUTH]}):
        messages = found("mcp_django.E011")
    # the settings, and the test project's `oauth` server (its own override)
    assert [message.obj for message in messages] == ["settings.MCP_DJANGO", "McpServer('oauth')"]
    assert "'oauth2_provider'" in messages[0].msg and "INSTALLED_APPS" in messages[0].hint


def test_oauth_with_its_app_installed_has_no_e011():
    with override_settings(MCP_DJANGO={"SESSION_CACHE_ALIAS": "mcp_sessions",
                                       "AUTHENTICATION_CLASSES": [OAUTH]}):
        assert found("mcp_django.E011") == []


BROKEN = {
    "MCP_DJANGO": {"SESION_TTL": 5, "JSON_RESPONSE": "yes", "THROTTLE_RATE": "ten/minute",
                   "SESSION_CACHE_ALIAS": "nowhere", "DEPLOYMENT_KEY": "two words",
                   "AUTHENTICATION_CLASSES": [OAUTH]},
    "ALLOWED_HOSTS": ["*"],
}


def test_every_mcp_django_message_has_an_obj_and_a_hint_when_misconfigured(server):
    class Broken(ModelToolset):
        model = Book
        fields = ["id", "no_such_field"]

    class Unknown(CommandToolset):
        commands = ["no_such_command"]

    Broken.register(server.registry)
    Unknown.register(server.registry)
    server.tool(name="bad name")(book_list)
    apps = [app for app in settings.INSTALLED_APPS if app != "oauth2_provider"]
    with override_settings(INSTALLED_APPS=apps, **BROKEN):
        messages = mcp_checks()
    with override_settings(CACHES={"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": {"socket_connect_timeout": 0.5}}},
            MCP_DJANGO={}):
        messages += mcp_checks()
    with override_settings(CACHES={"default": {"BACKEND": LOCMEM}}, MCP_DJANGO={}):
        messages += mcp_checks()
    ids = {message.id for message in messages}
    assert {"mcp_django.E001", "mcp_django.E003", "mcp_django.E004", "mcp_django.E006",
            "mcp_django.E007", "mcp_django.E008", "mcp_django.E009", "mcp_django.E010",
            "mcp_django.E011", "mcp_django.W001", "mcp_django.W002", "mcp_django.W003",
            "mcp_django.W004", "mcp_django.W005"} <= ids
    missing = [str(message) for message in messages if not (message.obj and message.hint)]
    assert missing == []
