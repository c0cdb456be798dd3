"""The two per-server switches (STATELESS_LEGACY, JSON_RESPONSE), timeouts and disconnects."""

from __future__ import annotations

import time
import uuid

import httpx

from tests.e2e.helpers import meta, modern_headers


def test_stateless_legacy_serves_initialize_without_a_session(raw_stateless):
    session = raw_stateless.initialize("2025-06-18")
    assert session.id is None
    answer = session.request("tools/call", {"name": "echo", "arguments": {"text": "s"}})
    assert answer.result["content"][0]["text"] == "s"
    # progress still streams on the POST response; there is simply no session
    progress = session.request("tools/call", {"name": "test_tool_with_progress",
                                              "arguments": {}, "_meta": {"progressToken": 1}})
    assert len(progress.notifications("notifications/progress")) == 3


def test_stateless_legacy_has_no_get_stream_or_delete(raw_stateless):
    headers = {"Accept": "text/event-stream"}
    assert raw_stateless.http.get(raw_stateless.url, headers=headers).status_code == 405
    assert raw_stateless.http.delete(raw_stateless.url).status_code == 405


def test_stateless_legacy_still_serves_modern_requests(raw_stateless):
    assert raw_stateless.modern("tools/list").status == 200


def test_json_response_never_streams(raw_json):
    answer = raw_json.modern("tools/call", {"name": "test_tool_with_progress", "arguments": {}},
                             meta_extra={"progressToken": "t",
                                         "io.modelcontextprotocol/logLevel": "debug"})
    assert answer.response.headers["content-type"] == "application/json"
    assert len(answer.messages) == 1 and answer.result["content"][0]["text"]


def test_json_response_accepts_an_accept_header_without_sse(raw_json):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta()}}
    headers = {**modern_headers("tools/list"), "Accept": "application/json"}
    assert raw_json.http.post(raw_json.url, json=body, headers=headers).status_code == 200


def test_json_response_legacy_session_works_without_notifications(raw_json):
    session = raw_json.initialize("2025-11-25")
    session.request("logging/setLevel", {"level": "debug"})
    answer = session.request("tools/call", {"name": "test_tool_with_logging", "arguments": {}})
    assert answer.response.headers["content-type"] == "application/json"
    assert answer.result["content"][0]["text"] == "Logging test completed"


def test_request_timeout_cancels_the_handler_and_answers_an_error(raw_short):
    token = uuid.uuid4().hex
    answer = raw_short.modern("tools/call", {"name": "test_slow", "arguments": {
        "seconds": 5, "token": token}})
    assert answer.error["code"] == -32603 and "timed out" in answer.error["message"]
    status = raw_short.modern("tools/call", {"name": "test_slow_status",
                                             "arguments": {"token": token}})
    assert status.result["content"][0]["text"] == "cancelled"


def test_keepalive_comments_flow_while_a_handler_works(raw_short):
    session = raw_short.initialize("2025-06-18")
    answer = session.request("tools/call", {"name": "test_slow", "arguments": {"seconds": 0.8}})
    assert ": keep-alive" in answer.response.text
    assert answer.final["result"]["content"][0]["text"] == "slept"


def test_client_disconnect_cancels_the_running_handler(raw):
    """S-6: closing the response stream cancels the request."""
    token = uuid.uuid4().hex
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "test_slow", "arguments": {"seconds": 10, "token": token}, "_meta": meta()}}
    with httpx.Client(timeout=5) as http:
        try:
            http.post(raw.url, json=body, headers=modern_headers("tools/call", "test_slow"),
                      timeout=httpx.Timeout(5, read=0.7))
        except httpx.ReadTimeout:
            pass
    deadline = time.monotonic() + 5
    state = "running"
    while time.monotonic() < deadline and state == "running":
        time.sleep(0.1)
        state = raw.modern("tools/call", {"name": "test_slow_status", "arguments": {
            "token": token}}).result["content"][0]["text"]
    assert state == "cancelled"
