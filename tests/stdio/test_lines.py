"""LineSplitter: the bounded reader behind stdin (no child needed: it is pure)."""

from __future__ import annotations

from mcp_django.stdio.wire import CHUNK, LineSplitter, Oversized


def test_huge_line_is_skipped_without_ever_being_held():
    splitter = LineSplitter(limit=1024 * 1024)
    held, found = 0, []
    chunk = b"x" * CHUNK
    for _ in range(800):  # 50 MiB without a newline
        found += splitter.feed(chunk)
        held = max(held, len(splitter.buffer))
    found += splitter.feed(b'x\n{"id": 1}\n')
    assert held <= splitter.limit
    assert found == [Oversized(800 * CHUNK + 1), b'{"id": 1}']


def test_lines_split_across_chunks_and_crlf():
    splitter = LineSplitter(limit=100)
    assert splitter.feed(b'{"a"') == []
    assert splitter.feed(b': 1}\r\n{"b": 2}\n{"c"') == [b'{"a": 1}', b'{"b": 2}']
    assert splitter.close() == [b'{"c"']
    assert splitter.close() == []


def test_line_exactly_at_the_limit_passes_one_past_it_does_not():
    splitter = LineSplitter(limit=4)
    assert splitter.feed(b"abcd\nabcde\n") == [b"abcd", Oversized(5)]
    splitter.feed(b"abc")
    assert splitter.feed(b"de\n") == [Oversized(5)]
    splitter.feed(b"toolong")
    assert splitter.close() == [Oversized(7)]
