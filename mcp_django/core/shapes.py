"""Per-revision result shapes: drop what an older legacy revision does not define (L-63)."""

from __future__ import annotations

from typing import Any

from .versions import supports


def _strip(entry: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in keys}


def _entry_keys(version: str) -> tuple[str, ...]:
    if not supports(version, "title"):
        return ("title", "icons", "outputSchema", "execution")
    if not supports(version, "icons"):
        return ("icons", "execution")
    return ()


def _content_ok(block: dict[str, Any], version: str) -> bool:
    return supports(version, "resource_links") or block.get("type") != "resource_link"


def shape_legacy(method: str, result: dict[str, Any], version: str) -> dict[str, Any]:
    """Adapt a newest-shape result to the session's legacy revision."""
    keys = _entry_keys(version)
    if not keys:
        return result
    list_key = {"tools/list": "tools", "prompts/list": "prompts", "resources/list": "resources",
                "resources/templates/list": "resourceTemplates"}.get(method)
    if list_key:
        return {**result, list_key: [_strip(entry, keys) for entry in result[list_key]]}
    if method == "tools/call":
        return _shape_call_result(result, version)
    if method == "prompts/get" and not supports(version, "resource_links"):
        messages = [m for m in result["messages"] if _content_ok(m["content"], version)]
        return {**result, "messages": messages}
    return result


def _shape_call_result(result: dict[str, Any], version: str) -> dict[str, Any]:
    if supports(version, "structured_content"):
        return result
    shaped = _strip(result, ("structuredContent",))
    shaped["content"] = [block for block in result["content"] if _content_ok(block, version)]
    return shaped
