"""Per-server overrides and names are validated when the McpServer is built (no daphne)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from mcp_django.registry import Registry
from mcp_django.server import McpServer, servers

_numbers = itertools.count(1)


@pytest.fixture
def unique_name() -> Iterator[str]:
    """A fresh server name, unregistered again after the test (the registry is process-wide)."""
    name = f"cfg-test-{next(_numbers)}"
    yield name
    servers.pop(name, None)


def refused(name: str, **overrides: Any) -> str:
    """Build a server that must be refused; return the error text; check nothing was left."""
    registry = Registry()
    try:
        with pytest.raises(ImproperlyConfigured) as caught:
            McpServer(name, registry=registry, **overrides)
        assert name not in servers, f"a refused server left {name!r} registered"
    finally:
        servers.pop(name, None)  # today's code registers it: keep other tests unaffected
    assert registry.listeners == [], "a refused server left a listener on its registry"
    return str(caught.value)


def test_a_misspelled_override_is_refused_by_name(unique_name: str) -> None:
    message = refused(unique_name, json_respons=True)
    assert "JSON_RESPONS" in message


@pytest.mark.parametrize(("key", "value"), [
    ("JSON_RESPONSE", "yes"),
    ("json_response", "yes"),
    ("REQUEST_TIMEOUT", "10"),
    ("ALLOW_ANONYMOUS", 1),
    ("SERVER_TITLE", 5),
    ("THROTTLE_CLASSES", "mcp_django.policy.RateThrottle"),
    ("AUTHENTICATION_CLASSES", None),
])
def test_an_override_of_the_wrong_type_is_refused_by_name(unique_name: str, key: str,
                                                          value: Any) -> None:
    message = refused(unique_name, **{key: value})
    assert key.upper() in message


def test_the_name_of_a_refused_server_stays_free(unique_name: str) -> None:
    refused(unique_name, JSON_RESPONSE="yes")
    server = McpServer(unique_name, JSON_RESPONSE=True)
    assert servers[unique_name] is server


def test_valid_overrides_are_kept_in_either_case(unique_name: str) -> None:
    server = McpServer(unique_name, json_response=True, REQUEST_TIMEOUT=2,
                       THROTTLE_CLASSES=["mcp_django.policy.RateThrottle"],
                       THROTTLE_RATE="5/minute", SERVER_TITLE=None)
    assert server.setting("JSON_RESPONSE") is True
    assert server.setting("REQUEST_TIMEOUT") == 2
    assert server.setting("THROTTLE_RATE") == "5/minute"


@pytest.mark.parametrize("name", [
    "my server", "", "a" * 80, "a" * 200, "caf\u00e9", "a/b", "x:y", "tab\tname", "semi;colon",
    "new\nline",
], ids=["space", "empty", "80-chars", "200-chars", "non-ascii", "slash", "colon", "tab",
        "semicolon", "newline"])
def test_a_name_unfit_for_a_channels_group_is_refused(name: str) -> None:
    refused(name)


@pytest.mark.parametrize("make", [
    lambda n: f"ok-name_1.2-{n}", lambda n: "A" * 75 + f"{n:04d}", lambda n: f"x{n}",
], ids=["mixed", "79-chars", "short"])
def test_names_of_letters_digits_dash_underscore_dot_under_80_chars_are_fine(
        make: Callable[[int], str]) -> None:
    name = make(next(_numbers))
    try:
        assert McpServer(name).name == name
    finally:
        servers.pop(name, None)
