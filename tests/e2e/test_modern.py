"""2026-07-28 requests over real HTTP: discover, lists, calls, streams, cache hints (§3)."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import MODERN

SERVER_INFO = "io.modelcontextprotocol/serverInfo"


def test_discover_lists_versions_and_capabilities(raw):
    """V-22, V-7, S-17, S-59."""
    answer = raw.modern("server/discover")
    result = answer.result
    assert answer.status == 200
    assert result["supportedVersions"] == [MODERN, "2025-11-25", "2025-06-18", "2025-03-26"]
    capabilities = set(result["capabilities"])
    assert {"tools", "prompts", "resources", "logging", "completions"} <= capabilities
    assert result["resultType"] == "complete"
    assert result["_meta"][SERVER_INFO]["name"] == "mcp-django-conformance"
    assert result["ttlMs"] >= 0 and result["cacheScope"] in ("public", "private")
    assert "mcp-session-id" not in answer.response.headers


@pytest.mark.parametrize("method, key", [
    ("tools/list", "tools"), ("prompts/list", "prompts"), ("resources/list", "resources"),
    ("resources/templates/list", "resourceTemplates")])
def test_lists_carry_cache_hints_and_result_type(raw, method, key):
    """S-59, S-16."""
    result = raw.modern(method).result
    assert result[key]
    assert isinstance(result["ttlMs"], int) and result["ttlMs"] >= 0
    assert result["cacheScope"] in ("public", "private")
    assert result["resultType"] == "complete"


def test_tools_list_order_is_deterministic(raw):
    """S-62."""
    first = [tool["name"] for tool in raw.modern("tools/list").result["tools"]]
    second = [tool["name"] for tool in raw.modern("tools/list").result["tools"]]
    assert first == second and first[0] == "test_simple_text"


def test_call_tool_answers_json_when_nothing_streams(raw):
    answer = raw.modern("tools/call", {"name": "echo", "arguments": {"text": "hi"}})
    assert answer.response.headers["content-type"] == "application/json"
    assert answer.result["content"] == [{"type": "text", "text": "hi"}]
    assert answer.result["isError"] is False


def test_progress_switches_the_response_to_sse(raw):
    """S-55, S-4: progress only on the request's own stream, then the result."""
    answer = raw.modern("tools/call", {"name": "test_tool_with_progress", "arguments": {}},
                        meta_extra={"progressToken": "tok-1"})
    assert answer.response.headers["content-type"] == "text/event-stream"
    assert answer.response.headers["x-accel-buffering"] == "no"
    progress = [n["params"]["progress"] for n in answer.notifications("notifications/progress")]
    assert progress == [0, 50, 100]
    assert answer.final["result"]["content"][0]["text"] == "Progress test completed"
    assert "id:" not in answer.response.text  # S-5: no resumable ids on modern streams


def test_no_log_notifications_without_log_level(raw):
    """S-56."""
    answer = raw.modern("tools/call", {"name": "test_logging_tool", "arguments": {}})
    assert answer.notifications("notifications/message") == []
    assert answer.result["content"][0]["text"] == "Logging tool completed"


def test_log_level_in_meta_filters_messages(raw):
    """S-56: only messages at or above the requested level."""
    answer = raw.modern("tools/call", {"name": "test_logging_tool", "arguments": {}},
                        meta_extra={"io.modelcontextprotocol/logLevel": "warning"})
    levels = [n["params"]["level"] for n in answer.notifications("notifications/message")]
    assert levels == ["warning", "error"]


def test_structured_output_and_errors_in_band(raw):
    error = raw.modern("tools/call", {"name": "test_error_handling", "arguments": {}}).result
    assert error["isError"] is True
    assert error["content"][0]["text"] == "This tool intentionally returns an error for testing"


def test_invalid_arguments_are_a_tool_error_naming_the_field(raw):
    result = raw.modern("tools/call", {"name": "echo", "arguments": {"text": 5}}).result
    assert result["isError"] is True and "text" in result["content"][0]["text"]


def test_unknown_tool_is_invalid_params_with_status_200(raw):
    """S-32: ordinary JSON-RPC errors keep HTTP 200."""
    answer = raw.modern("tools/call", {"name": "no_such_tool", "arguments": {}})
    assert answer.status == 200 and answer.error["code"] == -32602


def test_resources_read_and_unknown_uri(raw):
    """S-64: unknown URI is -32602 with data.uri, never empty contents."""
    text = raw.modern("resources/read", {"uri": "test://static-text"}).result
    assert text["contents"][0]["text"] == "This is the content of the static text resource."
    assert text["ttlMs"] == 0 and text["cacheScope"] == "private"
    template = raw.modern("resources/read", {"uri": "test://template/123/data"}).result
    assert "123" in template["contents"][0]["text"]
    missing = raw.modern("resources/read", {"uri": "test://missing"})
    assert missing.error["code"] == -32602 and missing.error["data"] == {"uri": "test://missing"}


def test_prompts_get_and_completion(raw):
    prompt = raw.modern("prompts/get", {"name": "test_prompt_with_arguments",
                                        "arguments": {"arg1": "a", "arg2": "b"}}).result
    assert "arg1='a'" in prompt["messages"][0]["content"]["text"]
    missing = raw.modern("prompts/get", {"name": "test_prompt_with_arguments",
                                         "arguments": {"arg1": "a"}})
    assert missing.error["code"] == -32602
    completion = raw.modern("completion/complete", {
        "ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
        "argument": {"name": "arg1", "value": "par"}}).result
    assert completion["completion"]["values"] == ["paris", "park", "party"]


def test_missing_client_capability_is_400_with_required_capabilities(raw):
    """S-15."""
    answer = raw.modern("tools/call", {"name": "test_missing_capability", "arguments": {}})
    assert answer.status == 400
    assert answer.error["code"] == -32021
    assert answer.error["data"] == {"requiredCapabilities": {"sampling": {}}}
    ok = raw.modern("tools/call", {"name": "test_missing_capability", "arguments": {}},
                    capabilities={"sampling": {}})
    assert ok.status == 200 and ok.result["isError"] is False


def test_capabilities_are_never_inferred_from_earlier_requests(raw):
    """S-14, V-3."""
    raw.modern("tools/call", {"name": "test_missing_capability", "arguments": {}},
               capabilities={"sampling": {}})
    again = raw.modern("tools/call", {"name": "test_missing_capability", "arguments": {}})
    assert again.error["code"] == -32021


def test_session_headers_are_ignored_on_modern_requests(raw):
    """V-17, C-5."""
    answer = raw.modern("tools/list", headers={"Mcp-Session-Id": "not-a-session",
                                               "Last-Event-ID": "x-1"})
    assert answer.status == 200 and "mcp-session-id" not in answer.response.headers


def test_x_mcp_header_parameter_is_validated(raw):
    """S-25, S-24."""
    params = {"name": "test_x_mcp_header", "arguments": {"region": "eu-west"}}
    ok = raw.modern("tools/call", params, headers={"Mcp-Param-Region": "eu-west"})
    assert ok.result["content"][0]["text"].startswith("Region eu-west")
    encoded = raw.modern("tools/call", params,
                         headers={"Mcp-Param-Region": "=?base64?ZXUtd2VzdA==?="})
    assert encoded.status == 200
    missing = raw.modern("tools/call", params)
    assert missing.status == 400 and missing.error["code"] == -32020
