"""System checks: exact messages and ids under overridden settings."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

LOCMEM = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
          for alias in ("default", "mcp_sessions")}  # the test settings' SESSION_CACHE_ALIAS
DUMMY_REDIS = {alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                       "LOCATION": "redis://127.0.0.1:6379/15"}
               for alias in ("default", "mcp_sessions")}


def ids() -> list[str]:
    return sorted(message.id for message in run_checks() if message.id.startswith("mcp_django"))


def test_default_test_settings_pass():
    # tests run with DEBUG off, a local-memory cache and the in-memory channel layer
    assert ids() == ["mcp_django.W001", "mcp_django.W003"]


@override_settings(CHANNEL_LAYERS={"default": {
    "BACKEND": "channels_redis.core.RedisChannelLayer",
    "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"]}}})
def test_shared_layer_has_no_w003():
    assert "mcp_django.W003" not in ids()


@override_settings(CACHES={"default": LOCMEM["default"], "mcp_sessions": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.5}}})
def test_unreachable_session_cache_is_e006():
    """A dead port fails the check at start-up instead of the first request."""
    assert "mcp_django.E006" in ids()


@override_settings(MCP_DJANGO={"SESION_TTL": 5})
def test_unknown_setting_is_e001():
    assert "mcp_django.E001" in ids()


@override_settings(MCP_DJANGO={"JSON_RESPONSE": "yes", "SESSION_TTL": 5.5, "PAGE_SIZE": True})
def test_wrongly_typed_settings_are_e008():
    messages = [m for m in run_checks() if m.id == "mcp_django.E008"]
    assert [m.msg for m in messages] == [
        "MCP_DJANGO['JSON_RESPONSE'] must be bool, not str.",
        "MCP_DJANGO['PAGE_SIZE'] must be a number, not bool."]


@pytest.mark.parametrize("rate", ["120", "ten/minute", "5/fortnight", "0/second"])
def test_bad_throttle_rate_is_e009(rate):
    with override_settings(MCP_DJANGO={"THROTTLE_RATE": rate}):
        assert "mcp_django.E009" in ids()


@override_settings(MCP_DJANGO={"THROTTLE_RATE": "5/minutes"})
def test_good_throttle_rate_has_no_e009():
    assert "mcp_django.E009" not in ids()


@override_settings(MCP_DJANGO={"SESSION_CACHE_ALIAS": "sessions"})
def test_missing_cache_alias_is_e003():
    assert "mcp_django.E003" in ids()


@override_settings(CACHES=DUMMY_REDIS)
def test_shared_cache_has_no_w001():
    """A reachable Redis (started by .ci/run and make test)."""
    assert "mcp_django.W001" not in ids()


@override_settings(DEBUG=True, CACHES=LOCMEM)
def test_local_cache_is_fine_while_debugging():
    assert "mcp_django.W001" not in ids()


@override_settings(ALLOWED_HOSTS=["*"], MCP_DJANGO={})
def test_wildcard_hosts_without_origins_is_w002():
    assert "mcp_django.W002" in ids()


@override_settings(ALLOWED_HOSTS=["*"], MCP_DJANGO={"ALLOWED_ORIGINS": ["https://a.example"]})
def test_wildcard_hosts_with_origins_is_fine():
    assert "mcp_django.W002" not in ids()


def test_misconfigured_toolsets_are_reported_not_raised():
    """E004 (unknown field, duplicate name) and E007 (unknown command) come from the checks."""
    from demo_project.library.models import Book
    from mcp_django.integrations.commands import CommandToolset
    from mcp_django.integrations.toolsets import ModelToolset
    from mcp_django.server import McpServer, servers

    server = McpServer("checks-demo")
    try:
        class Broken(ModelToolset):
            model = Book
            fields = ["id", "no_such_field"]

        class Twice(ModelToolset):
            model = Book
            fields = ["id"]
            actions = ["list"]  # one tool, so one duplicate

        class Unknown(CommandToolset):
            commands = ["no_such_command"]

        Broken.register(server.registry)
        Twice.register(server.registry)
        Twice.register(server.registry)
        Unknown.register(server.registry)
        found = [(m.id, m.msg) for m in run_checks() if m.id in ("mcp_django.E004",
                                                                  "mcp_django.E007")]
        assert [check_id for check_id, _msg in found] == ["mcp_django.E004", "mcp_django.E004",
                                                          "mcp_django.E007"]
        assert "no_such_field" in found[0][1] and "Duplicate tool" in found[1][1]
        assert "no_such_command" in found[2][1]
    finally:
        servers.pop("checks-demo")
