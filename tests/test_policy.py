"""Policy: authenticate then throttle; RateThrottle windows; dotted paths named on failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from mcp_django.integrations.auth import Unauthorized
from mcp_django.policy import Policy, RateThrottle, Throttled, build, parse_rate, principal_key
from mcp_django.transport.http import IncomingRequest


class User:
    def __init__(self, pk: int) -> None:
        self.pk = pk


class Fixed:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.seen: list[Any] = []

    async def authenticate(self, request: IncomingRequest) -> Any:
        return self.user

    async def allow(self, request: IncomingRequest, principal: Any) -> float | None:
        self.seen.append(principal)
        return None


def request(headers: dict[str, str] | None = None, client: str = "10.0.0.1") -> IncomingRequest:
    return IncomingRequest("POST", headers or {}, b"", {"client": (client, 5000), "path": "/mcp"})


@pytest.mark.parametrize(("rate", "parsed"), [("120/minute", (120, 60)), ("5/seconds", (5, 1)),
                                              ("1/Hour", (1, 3600)), ("9/day", (9, 86400))])
def test_parse_rate(rate: str, parsed: tuple[int, int]) -> None:
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "5", "x/minute", "0/minute", "5/week", "-1/second"])
def test_parse_rate_refuses_nonsense(rate: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_RATE"):
        parse_rate(rate)


@pytest.mark.asyncio
async def test_throttles_see_the_authenticated_principal() -> None:
    user, throttle = User(3), Fixed(None)
    assert await Policy([Fixed(user)], [throttle], False).admit(request()) is user
    assert throttle.seen == [user]


@pytest.mark.asyncio
async def test_without_a_user_a_credential_is_invalid_and_no_credential_is_401() -> None:
    policy = Policy([Fixed(None)], [], True)
    assert await policy.admit(request()) is None  # anonymous allowed
    with pytest.raises(Unauthorized) as refused:
        await policy.admit(request({"authorization": "Bearer nope"}))
    assert 'error="invalid_token"' in refused.value.headers["WWW-Authenticate"]
    with pytest.raises(Unauthorized):
        await Policy([], [], False).admit(request())


@pytest.mark.asyncio
async def test_rate_throttle_counts_per_user_and_per_address() -> None:
    throttle = RateThrottle("2/minute", "default", server="policy-test")
    alice, bob = User(101), User(102)
    assert [await throttle.allow(request(), alice) for _ in range(2)] == [None, None]
    wait = await throttle.allow(request(), alice)
    assert wait is not None and 0 < wait <= 60
    assert await throttle.allow(request(), bob) is None
    assert await throttle.allow(request(client="10.9.9.9"), None) is None
    assert throttle.who(request(client="10.9.9.9"), None) == "addr:10.9.9.9"
    assert throttle.who(request(), alice) == principal_key(alice) == "user:101"


def test_throttled_answer_rounds_up_and_names_the_wait() -> None:
    refused = Throttled(0.2)
    assert (refused.status, refused.headers, refused.data) == (429, {"Retry-After": "1"},
                                                              {"retryAfter": 1})


def test_a_dotted_path_that_does_not_import_names_the_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_CLASSES.*nowhere.Nothing"):
        build(["nowhere.Nothing"], {}, "THROTTLE_CLASSES")
