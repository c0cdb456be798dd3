"""System checks for a session cache that can evict (W004, W005) and DEPLOYMENT_KEY (E010)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def messages(check_id: str) -> list[str]:
    return [message.msg for message in run_checks() if message.id == check_id]


def caches(max_entries: int | None) -> dict[str, dict]:
    sessions: dict = {"BACKEND": LOCMEM, "LOCATION": "sessions-check"}
    if max_entries is not None:
        sessions["OPTIONS"] = {"MAX_ENTRIES": max_entries}
    return {"default": {"BACKEND": LOCMEM}, "mcp_sessions": sessions}


def test_a_local_memory_session_cache_smaller_than_max_sessions_allow_is_w004():
    with override_settings(CACHES=caches(None), MCP_DJANGO={"SESSION_CACHE_ALIAS": "mcp_sessions"}):
        [message] = messages("mcp_django.W004")
    assert "MAX_ENTRIES (300)" in message and "'mcp_sessions'" in message
    with override_settings(CACHES=caches(10**9),
                           MCP_DJANGO={"SESSION_CACHE_ALIAS": "mcp_sessions"}):
        assert messages("mcp_django.W004") == messages("mcp_django.W005") == []


@override_settings(CACHES={"default": {"BACKEND": LOCMEM, "OPTIONS": {"MAX_ENTRIES": 10**9}}},
                   MCP_DJANGO={})
def test_sessions_in_the_default_cache_are_w005():
    [message] = messages("mcp_django.W005")
    assert "'default'" in message


@pytest.mark.parametrize("key", ["two words", "a" * 41, "slash/y", "colon:x"])
def test_a_deployment_key_unfit_for_group_names_is_e010(key):
    def e010(value: str) -> list[str]:
        with override_settings(MCP_DJANGO={"SESSION_CACHE_ALIAS": "mcp_sessions",
                                           "DEPLOYMENT_KEY": value}):
            return messages("mcp_django.E010")

    assert e010(key)
    assert e010("prod-eu_1.blue") == []
