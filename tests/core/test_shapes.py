"""Per-revision result shaping for legacy sessions (L-63, C-16, C-17)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mcp_django.core.shapes import shape_legacy

ICON = [{"src": "https://example.com/i.png"}]
FULL_TOOL = {"name": "t", "title": "T", "description": "d", "inputSchema": {"type": "object"},
             "outputSchema": {"type": "object"}, "icons": ICON,
             "execution": {"taskSupport": "optional"}, "annotations": {"readOnlyHint": True}}
FULL_PROMPT = {"name": "p", "title": "P", "description": "", "icons": ICON, "arguments": []}
FULL_RESOURCE = {"uri": "app://r", "name": "r", "title": "R", "icons": ICON, "mimeType": "x/y"}
FULL_TEMPLATE = {"uriTemplate": "app://{x}", "name": "t", "title": "T", "icons": ICON}
TEXT = {"type": "text", "text": "hi"}
LINK = {"type": "resource_link", "uri": "app://r", "name": "r"}
CALL = {"content": [TEXT, LINK], "structuredContent": {"a": 1}, "isError": False}


def without(entry: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in keys}


LIST_CASES = [
    ("tools/list", "tools", FULL_TOOL),
    ("prompts/list", "prompts", FULL_PROMPT),
    ("resources/list", "resources", FULL_RESOURCE),
    ("resources/templates/list", "resourceTemplates", FULL_TEMPLATE),
]


@pytest.mark.parametrize(("method", "key", "entry"), LIST_CASES,
                         ids=[case[0] for case in LIST_CASES])
def test_list_entries_for_03_26_drop_title_icons_output_schema_execution(
    method: str, key: str, entry: dict[str, Any]
) -> None:
    """L-63: no title/outputSchema/icons/execution for 2025-03-26."""
    result = {key: [entry, entry], "nextCursor": "c"}
    shaped = shape_legacy(method, result, "2025-03-26")
    expected = without(entry, "title", "icons", "outputSchema", "execution")
    assert shaped == {key: [expected, expected], "nextCursor": "c"}


@pytest.mark.parametrize(("method", "key", "entry"), LIST_CASES,
                         ids=[case[0] for case in LIST_CASES])
def test_list_entries_for_06_18_drop_only_icons_and_execution(
    method: str, key: str, entry: dict[str, Any]
) -> None:
    """L-63: no icons/execution for 2025-06-18; title and outputSchema stay."""
    shaped = shape_legacy(method, {key: [entry]}, "2025-06-18")
    assert shaped == {key: [without(entry, "icons", "execution")]}


@pytest.mark.parametrize(("method", "key", "entry"), LIST_CASES,
                         ids=[case[0] for case in LIST_CASES])
def test_list_entries_for_11_25_unchanged(method: str, key: str, entry: dict[str, Any]) -> None:
    result = {key: [entry]}
    assert shape_legacy(method, result, "2025-11-25") == {key: [entry]}


def test_shaping_does_not_mutate_the_input() -> None:
    result = {"tools": [copy.deepcopy(FULL_TOOL)]}
    before = copy.deepcopy(result)
    shape_legacy("tools/list", result, "2025-03-26")
    assert result == before


def test_call_result_for_03_26_drops_structured_content_and_resource_links() -> None:
    """L-63: no structuredContent and no resource_link content for 2025-03-26."""
    shaped = shape_legacy("tools/call", copy.deepcopy(CALL), "2025-03-26")
    assert shaped == {"content": [TEXT], "isError": False}


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_call_result_for_06_18_and_later_unchanged(version: str) -> None:
    """L-62: structuredContent and resource_link exist from 2025-06-18 on."""
    assert shape_legacy("tools/call", copy.deepcopy(CALL), version) == CALL


@pytest.mark.parametrize("method", ["initialize", "resources/read",
                                    "completion/complete", "ping"])
@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18"])
def test_other_results_pass_through(method: str, version: str) -> None:
    result = {"anything": {"title": "kept", "icons": ICON}}
    assert shape_legacy(method, result, version) == result


def test_resource_links_are_dropped_from_2025_03_26_prompt_messages() -> None:
    """L-63: resource_link content does not exist before 2025-06-18."""
    from mcp_django.core.shapes import shape_legacy

    result = {"messages": [
        {"role": "user", "content": {"type": "resource_link", "uri": "a://b", "name": "b"}},
        {"role": "user", "content": {"type": "text", "text": "hi"}}]}
    shaped = shape_legacy("prompts/get", result, "2025-03-26")
    assert [m["content"]["type"] for m in shaped["messages"]] == ["text"]
    assert shape_legacy("prompts/get", result, "2025-06-18") == result
