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


def editor_token() -> str:
    """A token of a fresh user who may change books (what the demo's archive_genre needs)."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from mcp_django.models import McpToken

    user = get_user_model().objects.create_user(f"editor-{uuid.uuid4().hex[:8]}")
    user.user_permissions.add(Permission.objects.get(codename="change_book"))
    return McpToken.issue(user, "e2e")[1]


@pytest.fixture
def archivist(library) -> Iterator[RawClient]:
    """/mcp as an editor (a user with library.change_book), through the same RawClient."""
    library.http.headers["Authorization"] = "Bearer " + editor_token()
    yield library


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
