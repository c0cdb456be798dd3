"""Context: log level filtering, progress notifications and request metadata accessors."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_django.core.context import LOG_LEVELS, Context, level_enabled
from mcp_django.core.versions import Era


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


def make_ctx(params: dict[str, Any] | None = None, *, version: str = "2026-07-28",
             era: Era = Era.MODERN, **fields: Any) -> tuple[Context, Recorder]:
    recorder = Recorder()
    ctx = Context(1, "tools/call", era, version, params or {}, emit=recorder, **fields)
    return ctx, recorder


def with_token(token: Any) -> dict[str, Any]:
    return {"name": "t", "_meta": {"progressToken": token}}


# -- level_enabled -----------------------------------------------------------------------------


def test_log_levels_are_rfc5424_order() -> None:
    assert LOG_LEVELS == ("debug", "info", "notice", "warning", "error", "critical", "alert",
                          "emergency")


@pytest.mark.parametrize(
    ("level", "threshold", "expected"),
    [
        pytest.param("debug", None, False, id="S-56-no-threshold-debug"),
        pytest.param("emergency", None, False, id="S-56-no-threshold-emergency"),
        pytest.param("debug", "debug", True, id="equal-lowest"),
        pytest.param("info", "debug", True, id="above"),
        pytest.param("debug", "info", False, id="below"),
        pytest.param("warning", "warning", True, id="equal"),
        pytest.param("notice", "warning", False, id="just-below"),
        pytest.param("error", "warning", True, id="just-above"),
        pytest.param("emergency", "emergency", True, id="equal-highest"),
        pytest.param("alert", "emergency", False, id="below-highest"),
    ],
)
def test_level_enabled(level: str, threshold: str | None, expected: bool) -> None:
    """L-53, S-56: only messages at or above the threshold; none without one."""
    assert level_enabled(level, threshold) is expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("threshold", "sent"),
    [
        pytest.param(None, [], id="S-56-no-logLevel-nothing"),
        pytest.param("debug", ["debug", "info", "warning", "error"], id="debug"),
        pytest.param("warning", ["warning", "error"], id="warning"),
        pytest.param("emergency", [], id="emergency"),
    ],
)
async def test_log_helpers_respect_threshold(threshold: str | None, sent: list[str]) -> None:
    ctx, recorder = make_ctx(log_level=threshold)
    await ctx.debug("d")
    await ctx.info("i")
    await ctx.warning("w")
    await ctx.error("e")
    assert [m["params"]["level"] for m in recorder.messages] == sent
    for message in recorder.messages:
        assert message["jsonrpc"] == "2.0"
        assert message["method"] == "notifications/message"
        assert "id" not in message


@pytest.mark.asyncio
async def test_log_message_shape_with_logger_and_structured_data() -> None:
    ctx, recorder = make_ctx(log_level="info")
    await ctx.log("notice", {"rows": 3}, logger_name="db")
    await ctx.log("info", "plain")
    assert recorder.messages == [
        {"jsonrpc": "2.0", "method": "notifications/message",
         "params": {"level": "notice", "data": {"rows": 3}, "logger": "db"}},
        {"jsonrpc": "2.0", "method": "notifications/message",
         "params": {"level": "info", "data": "plain"}},
    ]


@pytest.mark.asyncio
async def test_log_unknown_level_raises_value_error() -> None:
    ctx, recorder = make_ctx(log_level="debug")
    with pytest.raises(ValueError, match="verbose"):
        await ctx.log("verbose", "x")
    assert recorder.messages == []


# -- progress ----------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="no-meta"),
        pytest.param({"_meta": {}}, id="meta-without-token"),
        pytest.param(with_token(None), id="null-token"),
        pytest.param(with_token(True), id="bool-token"),
        pytest.param(with_token([1]), id="array-token"),
        pytest.param({"_meta": "tok"}, id="meta-not-object"),
    ],
)
async def test_report_progress_needs_a_progress_token(params: dict[str, Any]) -> None:
    """L-52/S-55: progress only for a request that carried `_meta.progressToken`."""
    ctx, recorder = make_ctx(params)
    await ctx.report_progress(1, 10, "step")
    assert ctx.progress_token is None
    assert recorder.messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [pytest.param("tok-1", id="string"),
                                   pytest.param(7, id="int"), pytest.param(0, id="zero")])
async def test_report_progress_sends_notification_with_token(token: Any) -> None:
    ctx, recorder = make_ctx(with_token(token))
    await ctx.report_progress(1, 4, "started")
    assert recorder.messages == [{
        "jsonrpc": "2.0", "method": "notifications/progress",
        "params": {"progressToken": token, "progress": 1, "total": 4, "message": "started"},
    }]


@pytest.mark.asyncio
async def test_report_progress_omits_absent_total_and_message() -> None:
    ctx, recorder = make_ctx(with_token("t"))
    await ctx.report_progress(0.5)
    assert recorder.messages[0]["params"] == {"progressToken": "t", "progress": 0.5}


@pytest.mark.asyncio
async def test_report_progress_is_strictly_increasing() -> None:
    """L-52/S-55: `progress` strictly increases; equal or lower values are dropped."""
    ctx, recorder = make_ctx(with_token("t"))
    for value in (0, 0, 1, 0.5, 1, 2.5, 2, 3):
        await ctx.report_progress(value)
    assert [m["params"]["progress"] for m in recorder.messages] == [0, 1, 2.5, 3]


@pytest.mark.asyncio
@pytest.mark.parametrize("version", ["2025-03-26", "2025-06-18", "2025-11-25"])
async def test_report_progress_message_field_in_legacy_sessions(version: str) -> None:
    """L-52: `message` exists from 2025-03-26 on."""
    ctx, recorder = make_ctx(with_token("t"), version=version, era=Era.LEGACY)
    await ctx.report_progress(1, message="half")
    assert recorder.messages[0]["params"]["message"] == "half"


# -- accessors ---------------------------------------------------------------------------------


def test_context_accessors() -> None:
    class Session:
        id = "sess-1"

    principal = object()
    ctx, _ = make_ctx({"_meta": {"progressToken": "p", "x": 1}}, principal=principal,
                      session=Session())
    assert ctx.meta == {"progressToken": "p", "x": 1}
    assert ctx.user is principal
    assert ctx.session_id == "sess-1"


def test_context_defaults_are_sessionless_and_quiet() -> None:
    ctx = Context(None, "tools/list", Era.MODERN, "2026-07-28")
    assert ctx.session is None
    assert ctx.session_id is None
    assert ctx.log_level is None
    assert ctx.meta == {}
    assert ctx.params == {}


@pytest.mark.asyncio
async def test_default_emit_drops_and_default_run_sync_calls_inline() -> None:
    ctx = Context(None, "tools/call", Era.MODERN, "2026-07-28", with_token("t"),
                  log_level="debug")
    await ctx.report_progress(1)
    await ctx.info("x")
    assert await ctx.run_sync(lambda a, b=0: a + b, 2, b=3) == 5
