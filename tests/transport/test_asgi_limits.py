"""MAX_BODY_BYTES on both mounts: the ASGI fast path and the Django view, one 413 JSON answer.

The 413 tests and the view-mount tests describe the target behaviour: one JSON-RPC error body
(`-32600`, `id: null`) everywhere, a declared oversize Content-Length refused before the body
is read, and the view accepting any body up to MAX_BODY_BYTES (not Django's
DATA_UPLOAD_MAX_MEMORY_SIZE, which answers an HTML 400).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.test import override_settings

from demo_project.conformance import conformance
from mcp_django.core.errors import INVALID_REQUEST
from tests.e2e.helpers import modern_headers
from tests.transport.asgi_client import Exchange, Reply, post, sized_call

pytestmark = pytest.mark.asyncio

PATH = "/conformance/mcp"
SMALL_LIMIT = 1000
DEFAULT_LIMIT = 4 * 1024 * 1024
CALL_HEADERS = modern_headers("tools/call", "test_slow_status")


@pytest.fixture
def small_limit() -> Iterator[int]:
    """MAX_BODY_BYTES=1000 for every server (the setting change rebuilds their endpoints)."""
    with override_settings(MCP_DJANGO={**settings.MCP_DJANGO, "MAX_BODY_BYTES": SMALL_LIMIT}):
        assert conformance.endpoint.config.max_body == SMALL_LIMIT
        yield SMALL_LIMIT
    assert conformance.endpoint.config.max_body == DEFAULT_LIMIT


def assert_payload_too_large(reply: Reply) -> None:
    assert reply.status == 413, reply.body[:300]
    assert reply.content_type == "application/json", (reply.headers, reply.body[:300])
    body: dict[str, Any] = json.loads(reply.body)
    assert set(body) == {"jsonrpc", "error"}, body  # no id: the schema's id is optional, never null
    assert body["jsonrpc"] == "2.0"
    assert body["error"]["code"] == INVALID_REQUEST
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def assert_answered(reply: Reply) -> None:
    assert reply.status == 200, reply.body[:300]
    assert reply.content_type == "application/json", (reply.headers, reply.body[:300])
    assert reply.messages[0]["result"]["content"][0]["text"] == "unknown"


# -- the ASGI fast path -------------------------------------------------------------------------
async def test_body_at_the_limit_is_answered(small_limit: int):
    exchange = await post(conformance.asgi, sized_call(small_limit), CALL_HEADERS, PATH,
                          chunks=3)
    assert_answered(await exchange.read_all())
    await exchange.finished()


async def test_body_over_the_limit_is_refused_with_413_json(small_limit: int):
    exchange = await post(conformance.asgi, sized_call(small_limit + 1), CALL_HEADERS, PATH,
                          chunks=4)
    assert_payload_too_large(await exchange.read_all())
    await exchange.finished()


async def test_declared_content_length_over_the_limit_is_refused_before_the_body(
        small_limit: int):
    headers = {**CALL_HEADERS, "Content-Length": str(small_limit + 1)}
    exchange = Exchange(conformance.asgi, headers, PATH)  # no body is ever sent
    assert_payload_too_large(await exchange.read_all(timeout=2.0))
    await exchange.finished()


# -- the Django view mount (Django's own ASGI handler over the test URLconf) ---------------------
@pytest.fixture
def django_app() -> Any:
    return get_asgi_application()


async def view_post(app: Any, body: bytes) -> Reply:
    headers = {**CALL_HEADERS, "Content-Length": str(len(body))}
    exchange = await post(app, body, headers, PATH, chunks=max(1, len(body) // 65536))
    reply = await exchange.read_all(timeout=15.0)
    await exchange.finished()
    return reply


@pytest.mark.django_db(transaction=True)
async def test_view_answers_a_body_under_max_body_bytes_over_django_upload_limit(
        django_app: Any):
    body = sized_call(3_000_000)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert_answered(await view_post(django_app, body))


@pytest.mark.django_db(transaction=True)
async def test_view_refuses_a_body_over_max_body_bytes_with_413_json(django_app: Any):
    assert conformance.endpoint.config.max_body == DEFAULT_LIMIT
    assert_payload_too_large(await view_post(django_app, sized_call(DEFAULT_LIMIT + 1)))
