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


@pytest.fixture(scope="session")
def mcp_workers(django_db_setup: None, django_db_blocker: object):
    """A factory: `mcp_workers(2, settings="project.settings_redis")` starts daphne processes
    sharing the database and the given settings (which must share a cache and channel layer),
    stopped at the end of the test session."""
    from django.conf import settings

    started: list[LiveServer] = []

    def start(count: int, settings_module: str, env: dict[str, str] | None = None
              ) -> list[LiveServer]:
        base = {"DJANGO_SETTINGS_MODULE": settings_module,
                "MCP_TEST_DB": str(settings.DATABASES["default"]["NAME"]), **(env or {})}
        workers = [LiveServer(_application(), env=base).start() for _ in range(count)]
        started.extend(workers)
        return workers

    yield start
    for worker in started:
        worker.stop()
