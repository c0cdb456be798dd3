"""pytest fixtures: `live_mcp_server` runs your ASGI application under daphne for e2e tests.

Enable with `pytest_plugins = ["mcp_django.testing.pytest_plugin"]` and set
`MCP_LIVE_ASGI_APP` (default `<settings package>.asgi:application`). The database must be a
file (SQLite) or a server (PostgreSQL) so the daphne process sees what tests write.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .live import LiveServer


def _application() -> str:
    configured = os.environ.get("MCP_LIVE_ASGI_APP")
    if configured:
        return configured
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
    return settings_module.rsplit(".", 1)[0] + ".asgi:application"


@pytest.fixture(scope="session")
def live_mcp_server(django_db_setup: None, django_db_blocker: object) -> Iterator[LiveServer]:
    """A daphne process serving the project, shared by the whole test session."""
    from django.conf import settings

    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
           "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"])}
    with LiveServer(_application(), env=env) as server:
        yield server
