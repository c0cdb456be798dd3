"""Change events → notifications for listen streams and legacy GET streams."""

from __future__ import annotations

import pytest

from mcp_django.core.changes import honoured_filter, listen_notification, session_notification

CAPS = {"tools": {"listChanged": True}, "prompts": {"listChanged": True},
        "resources": {"subscribe": True, "listChanged": True}}
SUB = "io.modelcontextprotocol/subscriptionId"


def test_honoured_filter_keeps_only_supported_kinds() -> None:
    """S-46."""
    requested = {"toolsListChanged": True, "promptsListChanged": False, "bogus": True,
                 "resourceSubscriptions": ["a://1", 7]}
    assert honoured_filter(requested, CAPS) == {"toolsListChanged": True,
                                               "resourceSubscriptions": ["a://1"]}
    assert honoured_filter(requested, {"tools": {"listChanged": False}}) == {}


@pytest.mark.parametrize("event, expected", [
    ({"kind": "tools"}, "notifications/tools/list_changed"),
    ({"kind": "prompts"}, None),
    ({"kind": "resource", "uri": "a://1"}, "notifications/resources/updated"),
    ({"kind": "resource", "uri": "a://2"}, None),
    ({"kind": "nonsense"}, None),
])
def test_listen_notification_respects_the_filter_and_tags(event, expected) -> None:
    """S-47, S-48."""
    honoured = {"toolsListChanged": True, "resourceSubscriptions": ["a://1"]}
    message = listen_notification(event, honoured, 42)
    if expected is None:
        assert message is None
    else:
        assert message["method"] == expected and message["params"]["_meta"] == {SUB: 42}


def test_session_notification_needs_a_subscription_for_updates() -> None:
    """L-56."""
    assert session_notification({"kind": "prompts"}, [])["method"] == \
        "notifications/prompts/list_changed"
    assert session_notification({"kind": "resource", "uri": "a://1"}, []) is None
    assert session_notification({"kind": "resource", "uri": "a://1"}, ["a://1"])["params"] == \
        {"uri": "a://1"}
