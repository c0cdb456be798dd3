"""`notifications/cancelled` reaches a request inside a 2025-03-26 batch, like any request.

The cancelled item is left out of the batch's answer; when no answers remain the server
answers 202 (a batch of notifications-only answers is empty, JSON-RPC 2.0 §6).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import LegacySession, RawClient


def slow_status(session: LegacySession, token: str) -> str:
    answer = session.request("tools/call", {"name": "test_slow_status",
                                            "arguments": {"token": token}})
    return answer.result["content"][0]["text"]


def wait_status(session: LegacySession, token: str, state: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (current := slow_status(session, token)) != state:
        assert time.monotonic() < deadline, f"{token} is {current!r}, not {state!r}"
        time.sleep(0.05)


class BackgroundPost:
    """POSTs one body from a daemon thread (a failing test never waits for it to finish)."""

    def __init__(self, url: str, headers: dict[str, str], body: Any) -> None:
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(url, headers, json.dumps(body)),
                         daemon=True).start()

    def _run(self, url: str, headers: dict[str, str], content: str) -> None:
        try:
            with httpx.Client(timeout=60) as http:
                self.response = http.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.done.set()

    def wait(self, seconds: float) -> httpx.Response:
        assert self.done.wait(seconds), f"the POST did not return within {seconds} s"
        assert self.error is None and self.response is not None, self.error
        return self.response


def slow_item(token: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": "slow-1", "method": "tools/call",
            "params": {"name": "test_slow", "arguments": {"seconds": 30, "token": token}}}


ECHO_AFTER = {"jsonrpc": "2.0", "id": "after", "method": "tools/call",
              "params": {"name": "echo", "arguments": {"text": "after"}}}


@pytest.mark.parametrize("others", [[], [ECHO_AFTER]], ids=["alone", "with-an-echo-after"])
def test_cancelling_a_batch_item_stops_it_and_drops_its_answer(raw: RawClient,
                                                               others: list[dict[str, Any]]):
    session = raw.initialize("2025-03-26")
    token = uuid.uuid4().hex
    batch = BackgroundPost(raw.url, session.headers(), [slow_item(token), *others])
    wait_status(session, token, "running")
    session.notify("notifications/cancelled", {"requestId": "slow-1", "reason": "test"})
    response = batch.wait(5)  # the item would sleep for 30 s
    wait_status(session, token, "cancelled", seconds=5)
    if not others:
        assert response.status_code == 202 and not response.content, response.text
        return
    assert response.status_code == 200, response.text
    answers = response.json()
    assert [answer["id"] for answer in answers] == ["after"], answers
    assert answers[0]["result"]["content"][0]["text"] == "after"
