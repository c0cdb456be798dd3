"""Change notifications: `subscriptions/listen` and legacy GET streams (S-44…S-54, L-55/56)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx

from tests.e2e.helpers import RawClient, meta, modern_headers
from tests.wire import parse_sse, validate_message

SUB = "io.modelcontextprotocol/subscriptionId"


class StreamReader:
    """Reads an SSE response in a thread, collecting messages until told to stop."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: Any = None,
                 revision: str = "2026-07-28") -> None:
        self.messages: list[dict[str, Any]] = []
        self.raw = ""
        self.done = threading.Event()
        self.revision = revision
        self._stop = threading.Event()
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        content = json.dumps(body) if body is not None else None
        self.thread = threading.Thread(target=self._run, args=(method, url, headers, content),
                                       daemon=True)
        self.thread.start()

    def _run(self, method: str, url: str, headers: dict[str, str], content: str | None) -> None:
        try:
            with httpx.Client(timeout=httpx.Timeout(10, read=30)) as http, \
                    http.stream(method, url, headers=headers, content=content) as response:
                self.response = response
                for chunk in response.iter_text():
                    self.raw += chunk
                    self.messages = parse_sse(self.raw)
        except (httpx.HTTPError, RuntimeError) as exc:
            if not self._stop.is_set():
                self.error = exc
        self.done.set()

    def wait_for(self, predicate, seconds: float = 5) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.02)
        raise AssertionError(f"not seen within {seconds}s; got {self.messages}")

    def close(self) -> None:
        """Disconnect (the server sees the client go away) and wait for the reader."""
        self._stop.set()
        if self.response is not None:
            self.response.close()
        self.thread.join(5)
        assert self.error is None, self.error

    def validate(self) -> None:
        for message in self.messages:
            validate_message(message, self.revision, "subscriptions/listen")


def listen(raw: RawClient, request_id: Any, notifications: dict[str, Any]) -> StreamReader:
    body = {"jsonrpc": "2.0", "id": request_id, "method": "subscriptions/listen",
            "params": {"notifications": notifications, "_meta": meta()}}
    return StreamReader("POST", raw.url, modern_headers("subscriptions/listen"), body)


def method_is(name: str):
    return lambda message: message.get("method") == name


def test_listen_acknowledges_then_tags_every_notification(raw):
    stream = listen(raw, "sub-1", {"toolsListChanged": True, "promptsListChanged": True,
                                   "resourceSubscriptions": ["test://watched-resource"],
                                   "unknownKind": True})
    ack = stream.wait_for(lambda m: True)
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"]["_meta"][SUB] == "sub-1"
    assert ack["params"]["notifications"] == {
        "toolsListChanged": True, "promptsListChanged": True,
        "resourceSubscriptions": ["test://watched-resource"]}
    raw.modern("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    raw.modern("tools/call", {"name": "test_trigger_resource_update", "arguments": {}})
    changed = stream.wait_for(method_is("notifications/tools/list_changed"))
    updated = stream.wait_for(method_is("notifications/resources/updated"))
    assert changed["params"]["_meta"][SUB] == "sub-1"
    assert updated["params"] == {"uri": "test://watched-resource", "_meta": {SUB: "sub-1"}}
    raw.modern("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})  # restore
    stream.close()
    stream.validate()


def test_listen_honours_its_filter(raw):
    """S-47: a prompts-only stream never sees tool changes."""
    stream = listen(raw, 7, {"promptsListChanged": True})
    stream.wait_for(method_is("notifications/subscriptions/acknowledged"))
    raw.modern("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    raw.modern("tools/call", {"name": "test_trigger_prompt_change", "arguments": {}})
    stream.wait_for(method_is("notifications/prompts/list_changed"))
    assert not any(m.get("method") == "notifications/tools/list_changed"
                   for m in stream.messages)
    for name in ("test_trigger_tool_change", "test_trigger_prompt_change"):
        raw.modern("tools/call", {"name": name, "arguments": {}})
    stream.close()


def test_listen_ends_with_a_result_at_max_lifetime(raw_short):
    """S-53, S-54: keep-alives while idle; the server's end is the listen result."""
    stream = listen(raw_short, "short-1", {"toolsListChanged": True})
    assert stream.done.wait(6), "the listen stream outlived STREAM_MAX_SECONDS"
    final = stream.messages[-1]
    assert final["id"] == "short-1" and final["result"]["resultType"] == "complete"
    assert final["result"]["_meta"][SUB] == "short-1"
    assert ": keep-alive" in stream.raw


def test_listen_without_a_filter_object_is_invalid(raw):
    answer = raw.modern("subscriptions/listen", {"notifications": "all"})
    assert answer.error["code"] == -32602


def test_legacy_get_stream_gets_list_changes_and_subscribed_updates(raw):
    session = raw.initialize("2025-11-25")
    stream = StreamReader("GET", raw.url, {**session.headers(), "Accept": "text/event-stream"},
                          revision="2025-11-25")
    time.sleep(0.4)
    session.request("tools/call", {"name": "test_trigger_resource_update", "arguments": {}})
    session.request("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    stream.wait_for(method_is("notifications/tools/list_changed"))
    assert not any(m.get("method") == "notifications/resources/updated"
                   for m in stream.messages)  # not subscribed yet
    session.request("resources/subscribe", {"uri": "test://watched-resource"})
    session.request("tools/call", {"name": "test_trigger_resource_update", "arguments": {}})
    updated = stream.wait_for(method_is("notifications/resources/updated"))
    assert updated["params"] == {"uri": "test://watched-resource"}
    session.request("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    stream.close()
    stream.validate()
    session.delete()
