"""Opaque, stable cursors over a list in deterministic order (L-59)."""

from __future__ import annotations

import base64
from typing import Any, TypeVar

from ..errors import InvalidParams

T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode("ascii")


def decode_cursor(cursor: Any) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode("ascii")).decode().partition(":")
        offset = int(value)
    except (AttributeError, ValueError, UnicodeError):
        raise InvalidParams("Invalid cursor") from None
    if kind != "o" or offset < 0:
        raise InvalidParams("Invalid cursor")
    return offset


def list_result(server: Any, key: str, specs: list[Any], params: dict[str, Any],
                per_caller: bool = False) -> dict[str, Any]:
    """One page of `specs` as `{key: [definitions], nextCursor?}` with cache hints; a list
    that depends on the caller is `private` (2026-07-28 §caching: never shared between users)."""
    page, next_cursor = paginate(specs, params, server.options.page_size)
    result: dict[str, Any] = {key: [spec.definition() for spec in page]}
    if next_cursor:
        result["nextCursor"] = next_cursor
    return server.cacheable(result, ttl_ms=server.options.list_ttl_ms,
                            scope="private" if per_caller else None)


def paginate(items: list[T], params: dict[str, Any], page_size: int) -> tuple[list[T], str | None]:
    """One page of `items` for `params["cursor"]`, and the cursor of the next page."""
    offset = decode_cursor(params.get("cursor"))
    page = items[offset:offset + page_size]
    following = offset + page_size
    return page, encode_cursor(following) if following < len(items) else None
