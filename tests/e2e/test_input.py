"""Asking the client for input in both eras: SSE requests (2025) and input_required (2026)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.helpers import ACCEPT_BOTH, RawClient
from tests.e2e.recording import RecordingTransport, recording_client
from tests.wire import parse_sse

ALL_CAPS = {"elicitation": {}, "sampling": {}, "roots": {}}


async def answer_form(context, params):
    return types.ElicitResult(action="accept", content={"name": "Ada", "username": "ada",
                                                         "email": "ada@example.com",
                                                         "ok": True, "context": "c"})


async def answer_sampling(context, params):
    return types.CreateMessageResult(role="assistant", model="test-model",
                                     content=types.TextContent(type="text", text="Paris"))


@pytest.mark.asyncio
@pytest.mark.parametrize("mode, revision", [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28")])
async def test_sdk_client_answers_elicitation_and_sampling(conformance_url, mode, revision):
    """One tool API, both eras: the SDK's callbacks answer SSE requests or input_required."""
    transport = RecordingTransport()
    async with recording_client(transport) as http:
        stream = streamable_http_client(conformance_url, http_client=http)
        async with Client(stream, mode=mode, elicitation_callback=answer_form,
                          sampling_callback=answer_sampling) as client:
            named = await client.call_tool("test_input_required_result_elicitation", {})
            assert named.content[0].text == "Hello, Ada!"
            sampled = await client.call_tool("test_sampling", {"prompt": "Capital?"})
            assert sampled.content[0].text == "LLM response: Paris"
            rounds = await client.call_tool("test_input_required_result_multi_round", {})
            assert rounds.content[0].text == "Ada likes None."
    transport.validate(revision)


def first_round(raw: RawClient, tool: str, capabilities=None):
    answer = raw.modern("tools/call", {"name": tool, "arguments": {}},
                        capabilities=capabilities or ALL_CAPS)
    assert answer.result["resultType"] == "input_required"
    assert "ttlMs" not in answer.result  # S-43
    return answer.result


def retry(raw: RawClient, tool: str, responses, state=None, arguments=None, capabilities=None):
    params = {"name": tool, "arguments": arguments or {}, "inputResponses": responses}
    if state is not None:
        params["requestState"] = state
    return raw.modern("tools/call", params, capabilities=capabilities or ALL_CAPS)


def test_input_required_round_trip_with_sealed_state(raw):
    """S-35, S-37: keys, shapes, and the retry completes with the answer."""
    first = first_round(raw, "test_input_required_result_request_state")
    assert first["inputRequests"]["confirm"]["method"] == "elicitation/create"
    done = retry(raw, "test_input_required_result_request_state",
                 {"confirm": {"action": "accept", "content": {"ok": True}}}, first["requestState"])
    assert done.result["content"][0]["text"] == "state-ok: confirmed"


@pytest.mark.parametrize("mangle", [
    lambda state: state + "-TAMPERED",
    lambda state: state[:-3] + ("AAA" if not state.endswith("AAA") else "BBB"),
    lambda state: "not-a-state",
    lambda state: 42,
])
def test_tampered_request_state_is_rejected(raw, mangle):
    """S-39."""
    first = first_round(raw, "test_input_required_result_tampered_state")
    answer = retry(raw, "test_input_required_result_tampered_state",
                   {"confirm": {"action": "accept", "content": {"ok": True}}},
                   mangle(first["requestState"]))
    assert answer.error["code"] == -32602


def test_request_state_is_bound_to_its_request(raw):
    """S-40: state sealed for one tool (or other arguments) is refused elsewhere."""
    first = first_round(raw, "test_input_required_result_request_state")
    other_tool = retry(raw, "test_input_required_result_tampered_state",
                       {"confirm": {"action": "accept", "content": {"ok": True}}},
                       first["requestState"])
    assert other_tool.error["code"] == -32602
    other_args = retry(raw, "test_input_required_result_request_state",
                       {"confirm": {"action": "accept", "content": {"ok": True}}},
                       first["requestState"], arguments={"extra": 1})
    assert other_args.error["code"] == -32602


def test_request_state_expires(raw_short):
    """S-40: the short server seals state for one second."""
    first = first_round(raw_short, "test_input_required_result_request_state")
    time.sleep(2.1)
    late = retry(raw_short, "test_input_required_result_request_state",
                 {"confirm": {"action": "accept", "content": {"ok": True}}},
                 first["requestState"])
    assert late.error["code"] == -32602 and "expired" in late.error["message"]


def test_malformed_answers_and_missing_capabilities(raw):
    """S-38, S-36, S-15."""
    bad = retry(raw, "test_input_required_result_elicitation", {"user_name": 12345})
    assert bad.error["code"] == -32602
    wrong_key = retry(raw, "test_input_required_result_elicitation", {"other": {}})
    assert wrong_key.result["resultType"] == "input_required"
    no_caps = raw.modern("tools/call", {"name": "test_input_required_result_elicitation",
                                        "arguments": {}})
    assert no_caps.status == 400 and no_caps.error["code"] == -32021
    assert no_caps.error["data"] == {"requiredCapabilities": {"elicitation": {}}}


def test_several_inputs_in_one_round_and_several_rounds(raw):
    """S-41: one round can ask three things; later rounds keep earlier answers."""
    first = first_round(raw, "test_input_required_result_multiple_inputs")
    methods = sorted(item["method"] for item in first["inputRequests"].values())
    assert methods == ["elicitation/create", "roots/list", "sampling/createMessage"]
    step1 = first_round(raw, "test_input_required_result_multi_round")
    step2 = retry(raw, "test_input_required_result_multi_round",
                  {"step1": {"action": "accept", "content": {"name": "Ada"}}},
                  step1["requestState"]).result
    assert list(step2["inputRequests"]) == ["step2"]
    assert step2["requestState"] != step1["requestState"]
    done = retry(raw, "test_input_required_result_multi_round",
                 {"step2": {"action": "accept", "content": {"color": "blue"}}},
                 step2["requestState"])
    assert done.result["content"][0]["text"] == "Ada likes blue."


def test_input_required_never_reaches_a_legacy_client(raw):
    """C-2: a session without elicitation gets an error, never an input_required result."""
    session = raw.initialize("2025-11-25")
    answer = session.request("tools/call", {"name": "test_input_required_result_elicitation",
                                            "arguments": {}})
    assert "error" in answer.final and answer.final["error"]["code"] == -32021


def legacy_call_in_thread(raw: RawClient, session, tool: str, args: dict, request_id: str,
                          sink: dict) -> threading.Thread:
    def run() -> None:
        body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
                "params": {"name": tool, "arguments": args}}
        with httpx.Client(timeout=20) as http, http.stream(
                "POST", raw.url, json=body, headers=session.headers()) as response:
            text = ""
            for chunk in response.iter_text():
                text += chunk
                for message in parse_sse(text):
                    if message.get("method") in ("elicitation/create", "sampling/createMessage"):
                        sink.setdefault("asked", message)
            sink["messages"] = parse_sse(text)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for(sink: dict, key: str, seconds: float = 5) -> dict:
    deadline = time.monotonic() + seconds
    while key not in sink and time.monotonic() < deadline:
        time.sleep(0.02)
    assert key in sink, sink
    return sink[key]


def post_answer(raw: RawClient, session, request_id, result=None, error=None) -> int:
    body = {"jsonrpc": "2.0", "id": request_id}
    body.update({"error": error} if error else {"result": result})
    return raw.http.post(raw.url, content=json.dumps(body), headers=session.headers()).status_code


def test_legacy_answer_resumes_the_original_stream_and_late_answers_are_ignored(raw):
    """L-47, L-48: 202 for the answer; a duplicate or unknown answer is 202 and changes nothing."""
    session = raw.initialize("2025-11-25", capabilities={"elicitation": {}})
    sink: dict = {}
    thread = legacy_call_in_thread(raw, session, "test_elicitation", {"message": "Who?"},
                                   "call-1", sink)
    asked = wait_for(sink, "asked")
    answer = {"action": "accept", "content": {"username": "ada", "email": "a@x.org"}}
    assert post_answer(raw, session, asked["id"], answer) == 202
    thread.join(10)
    final = sink["messages"][-1]
    assert final["id"] == "call-1" and "username" in final["result"]["content"][0]["text"]
    assert post_answer(raw, session, asked["id"], answer) == 202  # duplicate
    assert post_answer(raw, session, "never-sent", answer) == 202  # unknown
    assert session.request("ping").status == 200


def test_legacy_client_error_answer_fails_the_call(raw):
    session = raw.initialize("2025-11-25", capabilities={"sampling": {}})
    sink: dict = {}
    thread = legacy_call_in_thread(raw, session, "test_sampling", {"prompt": "x"}, "call-2", sink)
    asked = wait_for(sink, "asked")
    assert post_answer(raw, session, asked["id"], error={"code": -1, "message": "user said no"}) \
        == 202
    thread.join(10)
    final = sink["messages"][-1]
    assert final["id"] == "call-2" and "user said no" in final["error"]["message"]


def test_legacy_input_timeout_cancels_the_outbound_request(raw_short):
    """L-49: the short server waits 0.5 s, then sends notifications/cancelled."""
    session = raw_short.initialize("2025-11-25", capabilities={"elicitation": {}})
    answer = session.request("tools/call", {"name": "test_elicitation",
                                            "arguments": {"message": "anyone?"}})
    methods = [m.get("method") for m in answer.messages]
    assert methods[:2] == ["elicitation/create", "notifications/cancelled"]
    assert answer.final["error"]["message"] == "Timed out waiting for the client's answer"
    assert ACCEPT_BOTH
