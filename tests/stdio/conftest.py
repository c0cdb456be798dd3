"""Fixtures of the stdio tests: the child's environment (sharing the test database), children
that are always ended, users."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.stdio.child import StdioChild, child_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The children read the database the tests write, so tests commit for real."""
    for item in items:
        if "/stdio/" in str(item.path):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def stdio_env(django_db_setup: None) -> dict[str, str]:
    from django.conf import settings

    coverage = {key: value for key, value in os.environ.items()  # measured like the
                if key.startswith("COVERAGE_")}                    # daphne children
    return child_env(str(settings.DATABASES["default"]["NAME"]), **coverage)


@pytest.fixture
def spawn(stdio_env: dict[str, str]) -> Iterator[Callable[..., StdioChild]]:
    """`spawn("conformance", user="alice", env={...})`; every child is killed at the end and
    its whole stdout checked to be JSON-RPC."""
    started: list[StdioChild] = []

    def start(server: str, user: str | None = None, **env: str) -> StdioChild:
        child = StdioChild(server, {**stdio_env, **env}, user)
        started.append(child)
        return child

    yield start
    for child in started:
        child.kill()
    for child in started:
        child.assert_only_jsonrpc()


@pytest.fixture
def alice(transactional_db: None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("alice", password="pw")


@pytest.fixture
def editor(transactional_db: None):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="change_book"))
    return user
