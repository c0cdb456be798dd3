"""RateThrottle at "5/minute", counted in the shared (Redis) cache: the limit holds across two
workers, per principal (a user, or the client address when anonymous), after authentication.

A 6th request within the minute is answered HTTP 429 with `Retry-After: <int ≥ 1>` and
`{"jsonrpc": "2.0", "error": {"code": -32000, "message": "Too many requests...",
"data": {"retryAfter": <the same int>}}}`. The window starts with the first counted request
(or slides), so six requests sent back to back are always within one window.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import httpx
import pytest
from django.contrib.auth import get_user_model

from mcp_django.models import McpToken
from tests.e2e.helpers import Answer, RawClient

RATE = 5
_texts = itertools.count(1)


@pytest.fixture
def pair(workers, request) -> Iterator[tuple[RawClient, RawClient]]:
    """One client's view of a throttled server through each worker (same loopback address)."""
    path = request.param
    clients = (RawClient(workers[0].url + path), RawClient(workers[1].url + path))
    yield clients
    for client in clients:
        client.close()


def token_for(username: str) -> str:
    user = get_user_model().objects.create_user(username, password="x")
    return McpToken.issue(user, f"{username}'s client")[1]


def call(client: RawClient, token: str | None = None) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    text = f"t-{next(_texts)}"
    answer = client.modern("tools/call", {"name": "echo", "arguments": {"text": text}},
                           headers=headers)
    if answer.status == 200:
        assert answer.result["content"][0]["text"] == text
    return answer


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, (response.status_code, response.text)
    retry_after = response.headers.get("retry-after", "")
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60, retry_after
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"jsonrpc", "error"} and body["jsonrpc"] == "2.0", body  # no id: unknown
    error = body["error"]
    assert error["code"] == -32000 and error["message"].startswith("Too many requests"), body
    assert error["data"] == {"retryAfter": int(retry_after)}, body


def spend_budget(a: RawClient, b: RawClient, token: str | None = None) -> None:
    """RATE requests, alternating workers: all served."""
    for n in range(RATE):
        answer = call((a, b)[n % 2], token)
        assert answer.status == 200, (n + 1, answer.status, answer.response.text)


@pytest.mark.parametrize("pair", ["/throttled/mcp"], indirect=True)
def test_the_sixth_anonymous_request_is_throttled_on_either_worker(pair):
    a, b = pair
    spend_budget(a, b)
    assert_throttled(call(b).response)  # the 6th, on the worker that served the 5th's peer
    assert_throttled(call(a).response)  # and still over the limit on the other worker
    assert_throttled(a.send(b"{nope", {"Content-Type": "application/json",
                                       "Accept": "application/json, text/event-stream"}
                            ).response)  # throttling comes before parsing the body


@pytest.mark.parametrize("pair", ["/throttled-auth/mcp"], indirect=True)
def test_each_principal_has_its_own_budget_and_authentication_comes_first(pair):
    a, b = pair
    suffix = uuid.uuid4().hex[:6]
    alice, bob = token_for(f"alice-{suffix}"), token_for(f"bob-{suffix}")
    spend_budget(a, b, alice)
    assert_throttled(call(a, alice).response)
    assert_throttled(call(b, alice).response)
    # bob, from the same address, is not affected by alice's requests
    spend_budget(b, a, bob)
    assert_throttled(call(b, bob).response)
    # without a credential, or with a bad one, the answer is 401, not 429
    for client in (a, b):
        assert call(client).status == 401
        assert call(client, "mcp_0123456789ab_wrong").status == 401
