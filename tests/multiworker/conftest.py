"""Two daphne workers sharing Redis (cache + channel layer) and the database; no stickiness."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from tests.e2e.helpers import RawClient

REDIS_URL = os.environ.get("MCP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/multiworker/" in str(item.path):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:  # a missing service fails loudly, never skips
        pytest.fail(f"Redis is required at {REDIS_URL} for multi-worker tests: {exc}")
    return f"mcp-mw-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def workers(mcp_workers, redis_prefix):
    return mcp_workers(2, "tests.project.settings_redis",
                       {"MCP_TEST_REDIS_PREFIX": redis_prefix, "MCP_TEST_REDIS_URL": REDIS_URL})


@pytest.fixture
def a(workers):
    client = RawClient(workers[0].url + "/conformance/mcp")
    yield client
    client.close()


@pytest.fixture
def b(workers):
    client = RawClient(workers[1].url + "/conformance/mcp")
    yield client
    client.close()
