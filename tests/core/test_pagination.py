"""Opaque cursors and paging over a stable list (L-59)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mcp_django.core.errors import INVALID_PARAMS, InvalidParams
from mcp_django.core.methods.pagination import decode_cursor, encode_cursor, paginate


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("offset", [0, 1, 2, 99, 10**9])
def test_cursor_round_trips(offset: int) -> None:
    cursor = encode_cursor(offset)
    assert isinstance(cursor, str)
    assert cursor.isascii()
    assert decode_cursor(cursor) == offset


def test_missing_cursor_is_first_page() -> None:
    assert decode_cursor(None) == 0


def test_cursor_is_opaque() -> None:
    """The cursor does not show the offset in plain text."""
    assert "5" not in encode_cursor(5)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("", id="empty"),
        pytest.param("not base64!", id="garbage"),
        pytest.param("abc", id="bad-padding"),
        pytest.param(raw_cursor("o:"), id="no-number"),
        pytest.param(raw_cursor("o:x"), id="not-a-number"),
        pytest.param(raw_cursor("o:-1"), id="negative"),
        pytest.param(raw_cursor("p:1"), id="wrong-kind"),
        pytest.param(raw_cursor("1"), id="no-kind"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe").decode(), id="not-utf8"),
        pytest.param("ü", id="non-ascii"),
        pytest.param(5, id="int"),
        pytest.param(["o:1"], id="array"),
        pytest.param({"o": 1}, id="object"),
    ],
)
def test_invalid_cursor_raises_invalid_params(cursor: Any) -> None:
    """L-59: an invalid cursor → -32602."""
    with pytest.raises(InvalidParams) as info:
        decode_cursor(cursor)
    assert info.value.code == INVALID_PARAMS
    assert info.value.message == "Invalid cursor"


def test_paginate_walks_all_pages_in_order() -> None:
    items = list(range(5))
    seen, params, pages = [], {}, 0
    while True:
        page, cursor = paginate(items, params, 2)
        seen.extend(page)
        pages += 1
        if cursor is None:
            break
        params = {"cursor": cursor}
    assert seen == items
    assert pages == 3


@pytest.mark.parametrize(
    ("size", "page_size", "pages"),
    [
        pytest.param(0, 2, [[]], id="empty"),
        pytest.param(2, 2, [[0, 1]], id="exact-one-page"),
        pytest.param(4, 2, [[0, 1], [2, 3]], id="exact-two-pages"),
        pytest.param(3, 100, [[0, 1, 2]], id="under-page-size"),
        pytest.param(3, 1, [[0], [1], [2]], id="page-size-one"),
    ],
)
def test_paginate_page_boundaries(size: int, page_size: int, pages: list[list[int]]) -> None:
    items, params, got = list(range(size)), {}, []
    while True:
        page, cursor = paginate(items, params, page_size)
        got.append(page)
        if cursor is None:
            break
        params = {"cursor": cursor}
    assert got == pages


def test_paginate_same_cursor_same_page() -> None:
    """L-59: cursors are stable."""
    items = list("abcdef")
    _, cursor = paginate(items, {}, 2)
    assert paginate(items, {"cursor": cursor}, 2) == paginate(items, {"cursor": cursor}, 2)
    assert paginate(items, {"cursor": cursor}, 2)[0] == ["c", "d"]


def test_paginate_cursor_past_end_gives_empty_last_page() -> None:
    assert paginate([1, 2], {"cursor": encode_cursor(10)}, 2) == ([], None)


def test_paginate_invalid_cursor_raises() -> None:
    with pytest.raises(InvalidParams):
        paginate([1, 2, 3], {"cursor": "%%%"}, 2)
