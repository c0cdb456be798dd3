"""DEPLOYMENT_KEY: two deployments of the same server on one cache and channel layer stay apart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from demo_project.conformance import conformance
from mcp_django.conf import ServerSettings
from mcp_django.core.options import ServerOptions
from mcp_django.policy import RateThrottle
from mcp_django.runtime import Runtime, build_runtime
from mcp_django.transport.asgi import McpAsgiHandler
from mcp_django.transport.endpoint import Endpoint
from mcp_django.transport.http import IncomingRequest
from tests.transport.asgi_client import initialize, modern_request, post

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PATH = "/twin/mcp"
ACKNOWLEDGED = "notifications/subscriptions/acknowledged"
Twin = Callable[[str], tuple[Runtime, McpAsgiHandler]]


@pytest_asyncio.fixture
async def twin() -> AsyncIterator[Twin]:
    """`twin(key)`: the server "twin" as the deployment `key` would build it."""
    built: list[Runtime] = []

    def build(key: str) -> tuple[Runtime, McpAsgiHandler]:
        settings = ServerSettings("twin", {"DEPLOYMENT_KEY": key, "THROTTLE_RATE": "1/minute"})
        runtime = build_runtime("twin", conformance.registry, settings, ServerOptions())
        endpoint = Endpoint(runtime)
        built.append(runtime)
        return runtime, McpAsgiHandler(lambda: endpoint)

    yield build
    for runtime in built:
        await runtime.supervisor.shutdown()


def methods(messages: list[dict]) -> list[str]:
    return [message.get("method", "") for message in messages]


async def test_two_deployments_on_one_layer_do_not_see_each_others_changes(twin):
    (alpha, alpha_app), (beta, _) = twin("alpha"), twin("beta")
    body, headers = modern_request("subscriptions/listen", {"notifications": {
        "toolsListChanged": True, "promptsListChanged": True}})
    stream = await post(alpha_app, body, headers, PATH)
    await stream.read_until(lambda messages: ACKNOWLEDGED in methods(messages))
    await beta.groups.publish_change("tools")
    await alpha.groups.publish_change("prompts")
    messages = await stream.read_until(
        lambda messages: "notifications/prompts/list_changed" in methods(messages))
    assert "notifications/tools/list_changed" not in methods(messages)
    await stream.disconnect()
    await stream.finished()


async def test_a_session_of_one_deployment_is_unknown_to_the_other(twin):
    (alpha, alpha_app), (beta, beta_app) = twin("alpha"), twin("beta")
    headers = await initialize(alpha_app, "2025-11-25")
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert (await (await post(alpha_app, ping, headers, PATH)).read_all()).status == 200
    assert (await (await post(beta_app, ping, headers, PATH)).read_all()).status == 404
    session_id, stream = headers["Mcp-Session-Id"], "0123456789abcdef"
    await alpha.event_log.start(session_id, stream, {"worker": alpha.bus.worker})
    assert await alpha.event_log.read(session_id, stream) == []
    assert await beta.event_log.read(session_id, stream) is None


async def test_a_worker_of_one_deployment_is_not_alive_for_the_other(twin):
    (alpha, _), (alpha_elsewhere, _), (beta, _) = twin("alpha"), twin("alpha"), twin("beta")
    await alpha.bus.start()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while not await alpha_elsewhere.bus.alive(alpha.bus.worker):
        assert loop.time() < deadline, "the heartbeat never wrote the liveness key"
        await asyncio.sleep(0.02)
    assert not await beta.bus.alive(alpha.bus.worker)


async def test_two_deployments_on_one_cache_count_throttles_apart():
    def throttle(key: str) -> RateThrottle:
        return RateThrottle.from_settings(ServerSettings(
            "twin", {"DEPLOYMENT_KEY": key, "THROTTLE_RATE": "1/minute"}))

    alpha, beta = throttle("alpha"), throttle("beta")
    request = IncomingRequest("POST", {}, scope={"client": (uuid.uuid4().hex, 1)})
    assert await alpha.allow(request, None) is None
    assert await alpha.allow(request, None) is not None
    assert await beta.allow(request, None) is None
