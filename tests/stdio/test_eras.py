"""Both eras on one pipe: the process session of 2025 revisions, 2026-07-28 `_meta`, questions
to the client, change notifications, tasks."""

from __future__ import annotations

import time

from tests.stdio.child import MODERN, modern_meta

TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
SUB_ID = "io.modelcontextprotocol/subscriptionId"


def call(name: str, arguments: dict | None = None, **params) -> dict:
    return {"name": name, "arguments": arguments or {}, **params}


def test_only_ping_before_initialize(spawn):
    child = spawn("conformance")
    assert child.request(1, "ping")["result"] == {}
    refused = child.request(2, "tools/list")
    assert refused["error"] == {"code": -32600, "message": "Invalid request: send initialize "
                                "first (2025-11-25 lifecycle §initialization)"}
    assert child.initialize()["result"]["protocolVersion"] == "2025-11-25"
    assert "tools" in child.request(3, "tools/list")["result"]
    again = child.initialize()
    assert again["error"] == {"code": -32600,
                              "message": "Invalid request: session already initialized"}
    assert child.close() == 0


def test_initialize_negotiates_and_bounds_client_info(spawn):
    child = spawn("stdio_fixtures")
    reply = child.request(1, "initialize", {"protocolVersion": "2024-01-01", "capabilities": {
        "x": "y" * 20_000}, "clientInfo": {"name": "big", "version": "1"}})
    assert reply["error"]["code"] == -32602 and "MAX_CLIENT_INFO_BYTES" in \
        reply["error"]["message"]
    assert child.initialize("2099-01-01")["result"]["protocolVersion"] == "2025-11-25"
    assert child.close() == 0


def test_set_level_is_kept_by_the_process_session(spawn):
    child = spawn("conformance")
    child.initialize()
    child.request(1, "tools/call", call("test_logging_tool"))
    assert not [m for m in child.seen if m.get("method") == "notifications/message"]
    assert child.request(2, "logging/setLevel", {"level": "warning"})["result"] == {}
    child.request(3, "tools/call", call("test_logging_tool"))
    levels = [m["params"]["level"] for m in child.seen
              if m.get("method") == "notifications/message"]
    assert levels == ["warning", "error"]
    assert child.close() == 0


def test_subscribed_resource_updates_and_list_changes_reach_the_session(spawn):
    child = spawn("conformance")
    child.initialize()
    uri = "test://watched-resource"
    assert child.request(1, "resources/subscribe", {"uri": uri})["result"] == {}
    child.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": call("test_trigger_resource_update", {"uri": uri})})
    updated = child.until(lambda m: m.get("method") == "notifications/resources/updated")
    assert updated["params"] == {"uri": uri}
    child.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": call("test_trigger_tool_change")})
    child.until(lambda m: m.get("method") == "notifications/tools/list_changed")
    child.request(4, "tools/call", call("test_trigger_tool_change"))  # put it back
    assert child.request(5, "resources/unsubscribe", {"uri": uri})["result"] == {}
    assert child.close() == 0


def test_elicitation_request_goes_out_and_its_answer_comes_back_on_stdin(spawn):
    child = spawn("conformance")
    child.initialize(capabilities={"elicitation": {}})
    child.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": call("test_elicitation", {"message": "Name?"})})
    asked = child.until(lambda m: m.get("method") == "elicitation/create")
    assert asked["id"].startswith("mcp-") and asked["params"]["message"] == "Name?"
    child.send({"jsonrpc": "2.0", "id": asked["id"], "result": {
        "action": "accept", "content": {"username": "ada", "email": "a@example.com"}}})
    done = child.response(1)
    assert done["result"]["content"][0]["text"].startswith("User response: action=accept")
    child.send({"jsonrpc": "2.0", "id": asked["id"], "result": {"action": "cancel"}})  # late
    child.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": call("test_elicitation", {"message": "Again?"})})
    again = child.until(lambda m: m.get("method") == "elicitation/create")
    child.send({"jsonrpc": "2.0", "id": again["id"], "error": {"code": -1, "message": "no"}})
    failed = child.response(2)
    assert "The client answered with an error: no" in str(failed)
    assert child.close() == 0


def test_sampling_and_roots_requests_answered_from_stdin(spawn):
    child = spawn("conformance")
    child.initialize(capabilities={"sampling": {}, "roots": {}})
    child.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": call("test_sampling", {"prompt": "Capital of France?"})})
    sample = child.until(lambda m: m.get("method") == "sampling/createMessage")
    assert sample["id"].startswith("mcp-")
    child.send({"jsonrpc": "2.0", "id": sample["id"], "result": {
        "role": "assistant", "model": "m", "content": {"type": "text", "text": "Paris"}}})
    assert child.response(1)["result"]["content"][0]["text"] == "LLM response: Paris"
    child.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": call("test_input_required_result_list_roots")})
    roots = child.until(lambda m: m.get("method") == "roots/list")
    child.send({"jsonrpc": "2.0", "id": roots["id"], "result": {
        "roots": [{"uri": "file:///home/ada", "name": "home"}]}})
    assert child.response(2)["result"]["content"][0]["text"] == \
        "Found 1 root(s): file:///home/ada"
    assert child.close() == 0


def test_modern_requests_need_valid_meta(spawn):
    child = spawn("conformance")
    missing = child.request(1, "tools/list", {"_meta": {
        "io.modelcontextprotocol/protocolVersion": MODERN}})
    assert missing["error"]["code"] == -32602
    unknown = child.request(2, "tools/list", {"_meta": modern_meta(**{
        "io.modelcontextprotocol/protocolVersion": "2099-01-01"})})
    assert unknown["error"]["code"] == -32022
    level = child.request(3, "tools/list", {"_meta": modern_meta(**{
        "io.modelcontextprotocol/logLevel": "loud"})})
    assert level["error"]["code"] == -32602
    absent = child.request(4, "logging/setLevel", {"level": "info", "_meta": modern_meta()})
    assert absent["error"]["code"] == -32601
    assert child.close() == 0


def test_modern_input_required_round_trip(spawn):
    child = spawn("conformance")
    meta = modern_meta(capabilities={"elicitation": {}})
    first = child.request(1, "tools/call", call("test_input_required_result_elicitation",
                                                _meta=meta))["result"]
    assert first["resultType"] == "input_required"
    assert set(first["inputRequests"]) == {"user_name"}
    retry = child.request(2, "tools/call", call(
        "test_input_required_result_elicitation", _meta=meta, requestState=first[
            "requestState"], inputResponses={"user_name": {
                "action": "accept", "content": {"name": "Ada"}}}))
    assert retry["result"]["content"][0]["text"] == "Hello, Ada!"
    assert child.close() == 0


def test_modern_listen_acknowledges_tags_and_ends_on_cancel(spawn):
    child = spawn("conformance")
    uri = "test://watched-resource"
    child.send({"jsonrpc": "2.0", "id": "sub", "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": True, "resourceSubscriptions": [uri]},
        "_meta": modern_meta()}})
    ack = child.read()
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"] == {"notifications": {"toolsListChanged": True,
                                               "resourceSubscriptions": [uri]},
                             "_meta": {SUB_ID: "sub"}}
    child.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call(
        "test_trigger_resource_update", {"uri": uri}, _meta=modern_meta())})
    updated = child.until(lambda m: m.get("method") == "notifications/resources/updated")
    assert updated["params"] == {"uri": uri, "_meta": {SUB_ID: "sub"}}
    child.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": call("test_trigger_tool_change", _meta=modern_meta())})
    changed = child.until(lambda m: m.get("method") == "notifications/tools/list_changed")
    assert changed["params"] == {"_meta": {SUB_ID: "sub"}}
    child.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": "sub"}})
    child.request(3, "tools/call", call("test_trigger_tool_change", _meta=modern_meta()))
    bad = child.request(4, "subscriptions/listen", {"notifications": 3,
                                                    "_meta": modern_meta()})
    assert bad["error"]["code"] == -32602
    assert child.close() == 0
    assert all(m.get("id") != "sub" for m in child.seen + child.rest())


def test_listen_ends_with_its_result_at_stream_max(spawn):
    child = spawn("stdio_short")  # STREAM_MAX_SECONDS = 1
    child.send({"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": True}, "_meta": modern_meta()}})
    assert child.read()["method"] == "notifications/subscriptions/acknowledged"
    end = child.response(7)
    assert end["result"]["resultType"] == "complete"
    assert end["result"]["_meta"][SUB_ID] == 7
    assert child.close() == 0


def test_modern_task_runs_past_its_call(spawn):
    child = spawn("conformance")
    meta = modern_meta(capabilities=TASKS)
    created = child.request(1, "tools/call", call("slow_compute", {"seconds": 0.6},
                                                  _meta=meta))["result"]
    assert created["resultType"] == "task"
    task = {"taskId": created["taskId"], "_meta": meta}
    deadline = time.monotonic() + 15
    status = child.request("get", "tasks/get", task)["result"]
    while status["status"] != "completed" and time.monotonic() < deadline:  # polls, as
        reply = child.request("get", "tasks/get", task)                     # clients do
        assert "result" in reply, reply
        status = reply["result"]
    assert status["result"]["content"][0]["text"] == "job finished after 0.6 s"
    assert child.close() == 0


def test_legacy_task_status_reaches_the_process_session(spawn):
    child = spawn("conformance")
    child.initialize("2025-11-25")
    created = child.request(1, "tools/call", call("slow_compute", {"seconds": 0.2},
                                                  task={}))["result"]["task"]
    done = child.until(lambda m: m.get("method") == "notifications/tasks/status"
                       and m["params"]["status"] == "completed")
    assert done["params"]["taskId"] == created["taskId"]
    result = child.request(2, "tasks/result", {"taskId": created["taskId"]})
    assert result["result"]["content"][0]["text"] == "job finished after 0.2 s"
    assert child.close() == 0
