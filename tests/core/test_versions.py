"""Era classification (checklist table 1.1), version negotiation and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_django.core.errors import (
    HEADER_MISMATCH,
    INVALID_PARAMS,
    UNSUPPORTED_VERSION,
    HeaderMismatch,
    InvalidMeta,
    McpError,
    UnsupportedVersion,
)
from mcp_django.core.versions import (
    LEGACY_VERSIONS,
    META_CLIENT_CAPABILITIES,
    META_PROTOCOL_VERSION,
    MODERN_VERSIONS,
    Era,
    classify,
    negotiate,
    request_meta,
    supported_versions,
    supports,
)

MODERN = "2026-07-28"
ALL_SUPPORTED = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"]


def meta_params(version: Any, **extra: Any) -> dict[str, Any]:
    meta = {META_PROTOCOL_VERSION: version, META_CLIENT_CAPABILITIES: {}}
    return {"name": "t", "_meta": meta, **extra}


def test_served_version_constants() -> None:
    assert MODERN_VERSIONS == (MODERN,)
    assert LEGACY_VERSIONS == ("2025-11-25", "2025-06-18", "2025-03-26")


def test_supported_versions_lists_modern_first() -> None:
    """V-7: every served revision, modern first, legacy after."""
    assert supported_versions(MODERN_VERSIONS, LEGACY_VERSIONS) == ALL_SUPPORTED


# -- rows that classify ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "params", "era"),
    [
        pytest.param(MODERN, meta_params(MODERN), Era.MODERN, id="row1-modern"),
        pytest.param(MODERN, {"_meta": {META_PROTOCOL_VERSION: MODERN}}, Era.MODERN,
                     id="row1-modern-without-caps-is-still-modern"),
        pytest.param(None, {"protocolVersion": "2025-11-25"}, Era.LEGACY,
                     id="row6-initialize-no-header"),
        pytest.param("2025-06-18", {"protocolVersion": "2025-06-18"}, Era.LEGACY,
                     id="row6-initialize-legacy-header"),
        pytest.param("2025-11-25", {}, Era.LEGACY, id="row7-legacy-header"),
        pytest.param("2025-03-26", {}, Era.LEGACY, id="row7-03-26-header"),
        pytest.param(None, {}, Era.LEGACY, id="row9-no-markers"),
        pytest.param(None, {"_meta": {"progressToken": 1}}, Era.LEGACY,
                     id="legacy-meta-without-protocol-version"),
        pytest.param(None, {"_meta": "not-a-dict"}, Era.LEGACY, id="legacy-meta-not-object"),
        pytest.param("2025-11-25", {"_meta": None}, Era.LEGACY, id="legacy-meta-null"),
    ],
)
def test_classify_decides_era(header: str | None, params: dict[str, Any], era: Era) -> None:
    """V-2, V-15: era is decided per request from meta.pv and MCP-Protocol-Version."""
    assert classify(header, params) is era


# -- rows that raise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "params", "error_class", "code", "data"),
    [
        pytest.param(None, meta_params(MODERN), HeaderMismatch, HEADER_MISMATCH, None,
                     id="row2-V-4-meta-without-header"),
        pytest.param(None, meta_params("1900-01-01"), HeaderMismatch, HEADER_MISMATCH, None,
                     id="row2-unknown-meta-without-header"),
        pytest.param("2025-11-25", meta_params(MODERN), HeaderMismatch, HEADER_MISMATCH, None,
                     id="row3-V-5-header-differs"),
        pytest.param(MODERN, meta_params("2025-11-25"), HeaderMismatch, HEADER_MISMATCH, None,
                     id="row3-meta-legacy-header-modern"),
        pytest.param("2026-07-28 ", meta_params(MODERN), HeaderMismatch, HEADER_MISMATCH, None,
                     id="row3-byte-inequality"),
        pytest.param("1900-01-01", meta_params("1900-01-01"), UnsupportedVersion,
                     UNSUPPORTED_VERSION, {"supported": ALL_SUPPORTED, "requested": "1900-01-01"},
                     id="row4-V-6-unknown-version"),
        pytest.param("2025-11-25", meta_params("2025-11-25"), UnsupportedVersion,
                     UNSUPPORTED_VERSION, {"supported": ALL_SUPPORTED, "requested": "2025-11-25"},
                     id="row4-V-8-legacy-version-in-meta"),
        pytest.param(MODERN, {"name": "t"}, InvalidMeta, INVALID_PARAMS, None,
                     id="row5-V-9-no-meta"),
        pytest.param(MODERN, {"_meta": {META_CLIENT_CAPABILITIES: {}}}, InvalidMeta,
                     INVALID_PARAMS, None, id="row5-V-9-meta-without-version"),
        pytest.param(MODERN, {"_meta": []}, InvalidMeta, INVALID_PARAMS, None,
                     id="row5-meta-not-object"),
        pytest.param(MODERN, meta_params(20260728), InvalidMeta, INVALID_PARAMS, None,
                     id="meta-version-not-string"),
        pytest.param("banana", {}, UnsupportedVersion, UNSUPPORTED_VERSION,
                     {"supported": ALL_SUPPORTED, "requested": "banana"},
                     id="row10-unknown-header"),
        pytest.param("1900-01-01", {"protocolVersion": "2025-11-25"}, UnsupportedVersion,
                     UNSUPPORTED_VERSION, {"supported": ALL_SUPPORTED, "requested": "1900-01-01"},
                     id="row10-unknown-header-on-initialize"),
    ],
)
def test_classify_raises_modern_error_rows(
    header: str | None, params: dict[str, Any], error_class: type[McpError], code: int,
    data: Any,
) -> None:
    """Table 1.1 rows 2-5 and 10: each carries its code and HTTP 400 (S-32)."""
    with pytest.raises(McpError) as info:
        classify(header, params)
    assert type(info.value) is error_class
    assert info.value.code == code
    assert info.value.http_status == 400
    if data is not None:
        assert info.value.data == data
        assert info.value.to_error()["data"] == data


def test_classify_respects_configured_version_sets() -> None:
    """A deployment that serves only 2025-11-25 as legacy rejects 2025-03-26 headers."""
    with pytest.raises(UnsupportedVersion) as info:
        classify("2025-03-26", {}, modern=(MODERN,), legacy=("2025-11-25",))
    assert info.value.data == {"supported": [MODERN, "2025-11-25"], "requested": "2025-03-26"}


def test_classify_with_no_modern_versions_rejects_modern_meta() -> None:
    with pytest.raises(UnsupportedVersion) as info:
        classify(MODERN, meta_params(MODERN), modern=(), legacy=LEGACY_VERSIONS)
    assert info.value.data["supported"] == list(LEGACY_VERSIONS)


# -- negotiate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "answer"),
    [
        pytest.param("2025-11-25", "2025-11-25", id="L-24-echo-11-25"),
        pytest.param("2025-06-18", "2025-06-18", id="L-24-echo-06-18"),
        pytest.param("2025-03-26", "2025-03-26", id="L-24-echo-03-26"),
        pytest.param("2026-07-28", "2025-11-25", id="V-16-modern-gets-newest-legacy"),
        pytest.param("2024-11-05", "2025-11-25", id="older-unknown"),
        pytest.param("banana", "2025-11-25", id="garbage"),
        pytest.param(None, "2025-11-25", id="missing"),
        pytest.param(20251125, "2025-11-25", id="not-a-string"),
    ],
)
def test_negotiate_answers_served_legacy_version(requested: Any, answer: str) -> None:
    assert negotiate(requested) == answer


def test_negotiate_uses_first_configured_legacy_version() -> None:
    assert negotiate("2025-11-25", ("2025-06-18", "2025-03-26")) == "2025-06-18"
    assert negotiate("2025-03-26", ("2025-06-18", "2025-03-26")) == "2025-03-26"


# -- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "feature", "expected"),
    [
        ("2025-11-25", "title", True),
        ("2025-06-18", "title", True),
        ("2025-03-26", "title", False),
        ("2026-07-28", "tasks", True),
        ("2025-06-18", "tasks", False),
        ("2025-03-26", "batch", True),
        ("2025-06-18", "batch", False),
        ("2025-11-25", "priming", True),
        ("2025-06-18", "icons", False),
    ],
)
def test_supports_reads_the_feature_table(version: str, feature: str, expected: bool) -> None:
    assert supports(version, feature) is expected


def test_supports_refuses_an_unknown_feature() -> None:
    with pytest.raises(KeyError):
        supports("2025-11-25", "teleport")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, None, id="absent"),
        pytest.param({"_meta": None}, None, id="null"),
        pytest.param({"_meta": [1]}, None, id="array"),
        pytest.param({"_meta": {"a": 1}}, {"a": 1}, id="object"),
    ],
)
def test_request_meta_returns_only_objects(params: dict[str, Any], expected: Any) -> None:
    assert request_meta(params) == expected
