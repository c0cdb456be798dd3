"""pytest fixtures: `live_mcp_server` runs your ASGI application under daphne for e2e tests.

Enable with `pytest_plugins = ["mcp_django.testing.pytest_plugin"]` (see docs/testing.md). The
daphne child serves `<settings package>.asgi:application` (or `MCP_LIVE_ASGI_APP`) on the test
databases the tests write to: when a collected test uses `live_mcp_server` or `mcp_workers`,
an SQLite test database that would be in memory becomes a temporary file, and the child is
pointed at every test database by name. `mcp_token` is a bearer token the child accepts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .live import LiveServer

LIVE_FIXTURES = ("live_mcp_server", "mcp_workers")
IN_MEMORY = ("", ":memory:", None)


def _application() -> str:
    configured = os.environ.get("MCP_LIVE_ASGI_APP")
    if configured:
        return configured
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
    return settings_module.rsplit(".", 1)[0] + ".asgi:application"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Before any database is created: test databases a child process can open."""
    if any(name in getattr(item, "fixturenames", ()) for item in items for name in LIVE_FIXTURES):
        folder = Path(tempfile.mkdtemp(prefix="mcp-live-db-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        from django.conf import settings

        if settings.configured:  # else pytest-django reports the missing settings itself
            file_test_databases(settings.DATABASES, folder)


def file_test_databases(databases: dict[str, Any], folder: Path) -> None:
    """An SQLite test database without a TEST NAME lives in memory, which no other process
    sees: give it a file in `folder` instead (pytest-django's suffixes still apply)."""
    for alias, database in databases.items():
        test = database.setdefault("TEST", {})
        if "sqlite" in database.get("ENGINE", "") and test.get("NAME") in IN_MEMORY:
            test["NAME"] = str(folder / f"{alias}.sqlite3")


def live_databases() -> dict[str, str]:
    """{alias: NAME} of the test databases this process made (after `django_db_setup`)."""
    from django.db import connections

    names = {alias: str(connections[alias].settings_dict["NAME"]) for alias in connections}
    shared = [name for name in names.values() if "mode=memory" in name or name == ":memory:"]
    if shared:
        raise RuntimeError(f"the test database {shared[0]!r} is in memory, where a daphne child "
                           "cannot see it: give DATABASES[...]['TEST']['NAME'] a file name")
    return names


def child_db_env() -> dict[str, str]:
    """`MCP_TEST_DB`: the default test database's NAME, for processes the server starts in
    turn (command tools run `python -m django …`), which read DATABASES from the settings."""
    return {"MCP_TEST_DB": live_databases()["default"]}


@pytest.fixture(scope="session")
def live_mcp_server(django_db_setup: None, django_db_blocker: object) -> Iterator[LiveServer]:
    """A daphne process serving the project on the test databases, shared by the session."""
    env = {"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"], **child_db_env()}
    with LiveServer(_application(), env=env, databases=live_databases()) as server:
        yield server


@pytest.fixture(scope="session")
def mcp_workers(django_db_setup: None, django_db_blocker: object
                ) -> Iterator[Callable[..., list[LiveServer]]]:
    """A factory: `mcp_workers(2, settings="project.settings_redis")` starts daphne processes
    on the test databases with the given settings (which must share a cache and channel
    layer), stopped at the end of the test session."""
    started: list[LiveServer] = []

    def start(count: int, settings_module: str, env: dict[str, str] | None = None
              ) -> list[LiveServer]:
        base = {"DJANGO_SETTINGS_MODULE": settings_module, **child_db_env(), **(env or {})}
        workers = [LiveServer(_application(), env=base, databases=live_databases()).start()
                   for _ in range(count)]
        started.extend(workers)
        return workers

    yield start
    for worker in started:
        worker.stop()


def mcp_token_for(user: Any, name: str = "pytest") -> str:
    """A bearer token (`mcp_<prefix>_<secret>`) for `user`, committed when the test is
    transactional, so a live server accepts it."""
    from ..models import McpToken

    return McpToken.issue(user, name)[1]


@pytest.fixture
def mcp_token(transactional_db: None) -> str:
    """A token of a new superuser (every tool visible): send it as
    `Authorization: Bearer <token>` to `live_mcp_server`. Makes the test transactional."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    user = model._default_manager.create_user(**{model.USERNAME_FIELD: "mcp-pytest"})
    user.is_staff = user.is_superuser = True
    user.save()
    return mcp_token_for(user)
