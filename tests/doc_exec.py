"""Runs one page's Python blocks in page order in one scratch module of a configured Django,
then what the page says of them: `python -m tests.doc_exec docs/quickstart.md`
(DJANGO_SETTINGS_MODULE=tests.docs_settings). Prints what ran as JSON; any failure exits 1."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

import django

SETTING_NAMES = ("MCP_DJANGO", "CACHES", "CHANNEL_LAYERS")


def run_page(name: str) -> list[str]:
    from tests.docblocks import ROOT, blocks

    # a module of the demo's app, so `from .models import Book` is the demo's Book
    namespace: dict[str, Any] = {"__name__": "demo_project.library.docs_page",
                                 "__package__": "demo_project.library"}
    ran = []
    for block in blocks(ROOT / name):
        if block.language == "python" and block.reason is None and block.elsewhere is None:
            before = {key: namespace.get(key) for key in SETTING_NAMES}
            exec(compile(block.body, block.where, "exec"), namespace)
            assert_fine_settings({key: namespace[key] for key in SETTING_NAMES
                                  if namespace.get(key) is not before[key]})
            ran.append(block.where)
    AFTER.get(name, lambda namespace: None)(namespace)
    assert_nothing_recorded()
    return ran


def assert_nothing_recorded() -> None:
    """Nothing the blocks registered is a problem (E004, E007)."""
    from mcp_django.server import servers

    problems = [p.message for server in servers.values() for p in server.registry.problems]
    assert problems == [], problems


def assert_fine_settings(defined: dict[str, Any]) -> None:
    """The settings a block defines pass mcp_django's checks (no errors)."""
    from django.core.checks.registry import registry
    from django.test import override_settings

    if not defined:
        return
    with override_settings(**defined):
        errors = [str(message) for check in registry.get_checks()
                  if check.__module__ == "mcp_django.checks"
                  for message in check(None) if message.is_serious()]
    assert errors == [], errors


def call(method: str, params: dict[str, Any], **context: Any) -> dict[str, Any]:
    """One 2026-07-28 request to the default server's dispatcher."""
    from mcp_django.core.context import Context
    from mcp_django.core.jsonrpc import JsonRpcRequest
    from mcp_django.core.versions import Era
    from mcp_django.server import default_server

    ctx = Context(1, method, Era.MODERN, "2026-07-28", params, log_level="info", **context)
    answer = asyncio.run(default_server.dispatcher.handle(JsonRpcRequest(1, method, params), ctx))
    return answer.message


def asking(namespace: dict[str, Any]) -> None:
    """archive_books asks first for the approval, as an input_required round."""
    asked = call("tools/call", {"name": "archive_books", "arguments": {}},
                 client_capabilities={"elicitation": {}, "sampling": {}, "roots": {}})
    assert asked["result"]["resultType"] == "input_required", asked
    assert list(asked["result"]["inputRequests"]) == ["approval"], asked


def authenticating(namespace: dict[str, Any]) -> None:
    """HeaderKeyAuthentication: no header is the next class's; a known key is its user; an
    unknown one is 401."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from mcp_django.integrations.auth import Unauthorized
    from mcp_django.transport.http import IncomingRequest

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("key-k1")
    authenticator = namespace["HeaderKeyAuthentication"].from_settings({})

    def authenticate(**headers: str) -> Any:
        request = IncomingRequest("POST", {"host": "localhost", **headers}, b"",
                                  scope={"path": "/mcp", "scheme": "http"})
        return asyncio.run(authenticator.authenticate(request))

    assert authenticate() is None
    assert authenticate(**{"x-api-key": "k1"}) == user
    try:
        authenticate(**{"x-api-key": "nope"})
    except Unauthorized:
        return
    raise AssertionError("an unknown key was not refused")


def serving(namespace: dict[str, Any]) -> None:
    internal = namespace["internal"]
    assert internal.setting("JSON_RESPONSE") is True
    assert namespace["urlpatterns"][0].pattern._route == "internal/"


def tooling(namespace: dict[str, Any]) -> None:
    from mcp_django.server import default_server

    names = set(default_server.registry.tools)
    assert {"book_list", "book_delete", "command_clearsessions", "command_library_report",
            "reindex", "staff_report", "archive_genre"} <= names, names


AFTER: dict[str, Callable[[dict[str, Any]], None]] = {
    "docs/input-and-tasks.md": asking,
    "docs/auth.md": authenticating,
    "docs/servers.md": serving,
    "docs/django-tools.md": tooling,
}

if __name__ == "__main__":
    django.setup()
    print(json.dumps(run_page(sys.argv[1])))
