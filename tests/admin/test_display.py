"""How the admin shows times and durations: to the second, with an age; short spans."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mcp_django.admin import moment, relative, span

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_relative_times_past_and_future() -> None:
    assert relative(NOW - timedelta(seconds=1), NOW) == "1\xa0second ago"
    assert relative(NOW - timedelta(seconds=42), NOW) == "42\xa0seconds ago"
    assert relative(NOW - timedelta(minutes=3, seconds=5), NOW) == "3\xa0minutes ago"
    assert relative(NOW + timedelta(hours=2, minutes=5), NOW) == "in 2\xa0hours, 5\xa0minutes"
    assert relative(NOW + timedelta(seconds=30), NOW) == "in 30\xa0seconds"


def test_moment_has_seconds() -> None:
    assert moment(None) == "—"
    shown = moment(NOW.replace(second=7))
    assert re.fullmatch(r"2026-03-01 \d\d:00:07 \(\d+\xa0(months?|years?).* ago\)", shown)


def test_spans() -> None:
    assert span(timedelta(milliseconds=2400)) == "2.4 s"
    assert span(timedelta(seconds=42)) == "42 s"
    assert span(timedelta(seconds=75)) == "1 min 15 s"
    assert span(timedelta(hours=3, minutes=5, seconds=9)) == "3 h 5 min"
    assert span(timedelta(seconds=-1)) == "0.0 s"
