"""E2E fixtures: raw clients bound to the live daphne server's endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.helpers import RawClient


def _raw(url: str) -> Iterator[RawClient]:
    client = RawClient(url)
    yield client
    client.close()


@pytest.fixture
def library(live_mcp_server) -> Iterator[RawClient]:
    """The demo's default server (/mcp) with the demo's books loaded."""
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)
    yield from _raw(live_mcp_server.url + "/mcp")


@pytest.fixture
def conformance_url(live_mcp_server) -> str:
    return live_mcp_server.url + "/conformance/mcp"


@pytest.fixture
def raw(conformance_url: str) -> Iterator[RawClient]:
    yield from _raw(conformance_url)


@pytest.fixture
def raw_stateless(live_mcp_server) -> Iterator[RawClient]:
    yield from _raw(live_mcp_server.url + "/stateless/mcp")


@pytest.fixture
def raw_json(live_mcp_server) -> Iterator[RawClient]:
    yield from _raw(live_mcp_server.url + "/json/mcp")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """E2E tests share the database with the daphne process, so they commit for real."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def raw_short(live_mcp_server) -> Iterator[RawClient]:
    """A server with REQUEST_TIMEOUT=1s, STREAM_MAX_SECONDS=2s and 0.5s keep-alives."""
    yield from _raw(live_mcp_server.url + "/short/mcp")
