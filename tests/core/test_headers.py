"""Modern request headers: Mcp-Method, Mcp-Name and Mcp-Param-* validation (S-19..S-28)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mcp_django.core.errors import HEADER_MISMATCH, HeaderMismatch
from mcp_django.core.headers import (
    check_method_headers,
    check_param_headers,
    decode_header_value,
    header_properties,
)
from mcp_django.core.methods.standard import standard_table
from mcp_django.core.versions import Era


def b64(value: str) -> str:
    return "=?base64?" + base64.b64encode(value.encode()).decode() + "?="


# -- decode_header_value -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("foo", "foo", id="plain"),
        pytest.param("  foo ", "foo", id="S-23-spaces-stripped"),
        pytest.param("\tfoo\t", "foo", id="S-23-tabs-stripped"),
        pytest.param("a b\tc", "a b\tc", id="inner-whitespace-kept"),
        pytest.param("", "", id="empty"),
        pytest.param("=?base64?SGk=?=", "Hi", id="S-24-base64-one-pad"),
        pytest.param("=?base64?SQ==?=", "I", id="S-24-base64-two-pad"),
        pytest.param("=?base64?SGVsbG8h?=", "Hello!", id="S-24-base64-no-pad"),
        pytest.param(b64("日本語 ✓"), "日本語 ✓", id="S-24-base64-utf8"),
        pytest.param(b64("line\nbreak"), "line\nbreak", id="S-24-base64-control-inside"),
        pytest.param("  =?base64?SGk=?=  ", "Hi", id="S-24-base64-with-whitespace"),
        pytest.param("=?base64??=", "", id="S-24-base64-empty"),
        pytest.param("=?BASE64?SGk=?=", "=?BASE64?SGk=?=", id="S-24-uppercase-is-literal"),
        pytest.param("=?Base64?SGk=?=", "=?Base64?SGk=?=", id="S-24-mixedcase-is-literal"),
        pytest.param("base64?SGk=?=", "base64?SGk=?=", id="S-24-missing-prefix-literal"),
        pytest.param("=?base64?SGk=", "=?base64?SGk=", id="S-24-missing-suffix-literal"),
        pytest.param("x=?base64?SGk=?=", "x=?base64?SGk=?=", id="S-24-text-before-literal"),
    ],
)
def test_decode_header_value_accepts(raw: str, expected: str) -> None:
    assert decode_header_value(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("=?base64?SGk?=", id="S-24-missing-padding"),
        pytest.param("=?base64?SGk==?=", id="S-24-too-much-padding"),
        pytest.param("=?base64?S===?=", id="S-24-three-pad-chars"),
        pytest.param("=?base64?SG=k?=", id="S-24-pad-in-middle"),
        pytest.param("=?base64?SGk*?=", id="S-24-invalid-char"),
        pytest.param("=?base64?SG k=?=", id="S-24-space-inside"),
        pytest.param("=?base64?SGk-?=", id="S-24-urlsafe-alphabet"),
        pytest.param("=?base64?/w==?=", id="S-24-not-utf8"),
        pytest.param("caf\u00e9", id="S-27-latin1"),
        pytest.param("\u65e5\u672c", id="S-27-cjk"),
        pytest.param("a\x00b", id="S-27-nul"),
        pytest.param("a\x7fb", id="S-27-del"),
        pytest.param("a\x1bb", id="S-27-escape"),
        pytest.param("a\rb", id="S-27-cr-inside"),
        pytest.param("a\nb", id="S-27-lf-inside"),
    ],
)
def test_decode_header_value_rejects(raw: str) -> None:
    with pytest.raises(HeaderMismatch) as info:
        decode_header_value(raw)
    assert info.value.code == HEADER_MISMATCH
    assert info.value.http_status == 400


@pytest.mark.parametrize("raw", [pytest.param("abc\n", id="trailing-lf"),
                                 pytest.param("=?base64?SGk=?=\n", id="base64-trailing-lf")])
def test_decode_header_value_rejects_trailing_newline(raw: str) -> None:
    """S-27: a value with a character outside visible ASCII, SP, HTAB → -32020."""
    with pytest.raises(HeaderMismatch):
        decode_header_value(raw)


# -- check_method_headers ----------------------------------------------------------------------


def name_param(method: str) -> str | None:
    """The Mcp-Name source from the method table (task methods name their task id)."""
    spec = standard_table().get(Era.MODERN, method)
    if spec is not None:
        return spec.name_param
    return "taskId" if method.startswith("tasks/") else None



@pytest.mark.parametrize(
    ("method", "params", "headers"),
    [
        pytest.param("tools/list", {}, {"mcp-method": "tools/list"}, id="no-name-needed"),
        pytest.param("tools/list", {}, {"mcp-method": " tools/list\t"}, id="S-23-method-ws"),
        pytest.param("tools/list", {}, {"mcp-method": "tools/list", "mcp-name": "junk"},
                     id="name-ignored-when-not-needed"),
        pytest.param("server/discover", {}, {"mcp-method": "server/discover"}, id="discover"),
        pytest.param("tools/call", {"name": "add"}, {"mcp-method": "tools/call",
                                                     "mcp-name": "add"}, id="S-22-tool"),
        pytest.param("tools/call", {"name": "add"}, {"mcp-method": "tools/call",
                                                     "mcp-name": "  add "}, id="S-23-name-ws"),
        pytest.param("prompts/get", {"name": "greet"}, {"mcp-method": "prompts/get",
                                                        "mcp-name": "greet"}, id="S-22-prompt"),
        pytest.param("resources/read", {"uri": "app://a b"},
                     {"mcp-method": "resources/read", "mcp-name": "app://a b"},
                     id="S-22-resource-uri"),
        pytest.param("resources/read", {"uri": "app://ü"},
                     {"mcp-method": "resources/read", "mcp-name": b64("app://ü")},
                     id="S-24-resource-uri-base64"),
        pytest.param("tasks/get", {"taskId": "t-1"},
                     {"mcp-method": "tasks/get", "mcp-name": "t-1"}, id="S-83-tasks-get"),
        pytest.param("tasks/update", {"taskId": "t-1"},
                     {"mcp-method": "tasks/update", "mcp-name": "t-1"}, id="S-83-tasks-update"),
        pytest.param("tasks/cancel", {"taskId": "t-1"},
                     {"mcp-method": "tasks/cancel", "mcp-name": "t-1"}, id="S-83-tasks-cancel"),
    ],
)
def test_check_method_headers_accepts_matching(
    method: str, params: dict[str, Any], headers: dict[str, str]
) -> None:
    check_method_headers(method, params, headers, name_param(method))


@pytest.mark.parametrize(
    ("method", "params", "headers"),
    [
        pytest.param("tools/list", {}, {}, id="S-20-method-missing"),
        pytest.param("tools/call", {"name": "a"}, {"mcp-method": "TOOLS/CALL", "mcp-name": "a"},
                     id="S-20-method-case-differs"),
        pytest.param("tools/list", {}, {"mcp-method": "tools/call"}, id="S-20-other-method"),
        pytest.param("tools/list", {}, {"mcp-method": ""}, id="S-20-method-empty"),
        pytest.param("tools/call", {"name": "add"}, {"mcp-method": "tools/call"},
                     id="S-22-name-missing"),
        pytest.param("tools/call", {"name": "add"}, {"mcp-method": "tools/call",
                                                     "mcp-name": "Add"}, id="S-22-name-case"),
        pytest.param("tools/call", {"name": "add"}, {"mcp-method": "tools/call",
                                                     "mcp-name": "sub"}, id="S-22-name-differs"),
        pytest.param("tools/call", {}, {"mcp-method": "tools/call", "mcp-name": "add"},
                     id="S-22-params-name-absent"),
        pytest.param("prompts/get", {"name": "p"}, {"mcp-method": "prompts/get",
                                                    "mcp-name": "q"}, id="S-22-prompt-differs"),
        pytest.param("resources/read", {"uri": "app://x"},
                     {"mcp-method": "resources/read", "mcp-name": "app://y"},
                     id="S-22-uri-differs"),
        pytest.param("resources/read", {"uri": "app://x"}, {"mcp-method": "resources/read"},
                     id="S-22-uri-name-missing"),
        pytest.param("tools/call", {"name": "add"},
                     {"mcp-method": "tools/call", "mcp-name": "=?base64?YWRk?"},
                     id="S-24-broken-sentinel-literal-mismatch"),
        pytest.param("tools/call", {"name": "add"},
                     {"mcp-method": "tools/call", "mcp-name": "=?base64?YWR?="},
                     id="S-24-bad-base64"),
        pytest.param("tools/call", {"name": "añd"},
                     {"mcp-method": "tools/call", "mcp-name": "añd"}, id="S-27-raw-non-ascii"),
        pytest.param("tasks/get", {"taskId": "t-1"}, {"mcp-method": "tasks/get"},
                     id="S-83-task-id-missing"),
        pytest.param("tasks/cancel", {"taskId": "t-1"},
                     {"mcp-method": "tasks/cancel", "mcp-name": "t-2"}, id="S-83-task-id-differs"),
        pytest.param("tasks/get", {"taskId": "t-1", "name": "x"},
                     {"mcp-method": "tasks/get", "mcp-name": "x"}, id="S-83-uses-taskId-not-name"),
    ],
)
def test_check_method_headers_rejects(
    method: str, params: dict[str, Any], headers: dict[str, str]
) -> None:
    with pytest.raises(HeaderMismatch) as info:
        check_method_headers(method, params, headers, name_param(method))
    assert info.value.code == HEADER_MISMATCH


# -- header_properties -------------------------------------------------------------------------


def test_header_properties_maps_lowercased_header_to_property_and_type() -> None:
    schema = {
        "type": "object",
        "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "count": {"type": "integer", "x-mcp-header": "Count"},
            "plain": {"type": "string"},
            "empty": {"type": "string", "x-mcp-header": ""},
            "notstr": {"type": "string", "x-mcp-header": 5},
            "weird": True,
        },
    }
    assert header_properties(schema) == {"region": ("region", "string"),
                                         "count": ("count", "integer")}


def test_header_properties_without_properties_is_empty() -> None:
    assert header_properties({"type": "object"}) == {}


# -- check_param_headers -----------------------------------------------------------------------

REGION = {"region": ("region", "string")}
COUNT = {"count": ("count", "integer")}
FLAG = {"flag": ("flag", "boolean")}


@pytest.mark.parametrize(
    ("declared", "arguments", "headers"),
    [
        pytest.param(REGION, {"region": "eu"}, {"mcp-param-region": "eu"}, id="S-25-string"),
        pytest.param(REGION, {"region": "eu"}, {"mcp-param-region": " eu "}, id="S-23-ws"),
        pytest.param(REGION, {"region": "ü"}, {"mcp-param-region": b64("ü")},
                     id="S-24-base64"),
        pytest.param(REGION, {}, {}, id="S-25-absent-no-header"),
        pytest.param(REGION, {"region": None}, {}, id="S-25-null-no-header"),
        pytest.param(REGION, None, {}, id="arguments-missing"),
        pytest.param(REGION, "junk", {}, id="arguments-not-object"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": "42"}, id="S-26-int"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": "42.0"}, id="S-26-int-as-42.0"),
        pytest.param(COUNT, {"count": -3}, {"mcp-param-count": "-3"}, id="S-26-negative"),
        pytest.param(COUNT, {"count": 0}, {"mcp-param-count": "0"}, id="S-26-zero"),
        pytest.param(FLAG, {"flag": True}, {"mcp-param-flag": "true"}, id="S-26-true"),
        pytest.param(FLAG, {"flag": False}, {"mcp-param-flag": "false"}, id="S-26-false"),
        pytest.param({}, {"region": "eu"}, {"mcp-param-region": "other"},
                     id="undeclared-header-ignored"),
        pytest.param({**REGION, **COUNT}, {"region": "eu", "count": 1},
                     {"mcp-param-region": "eu", "mcp-param-count": "1"}, id="several"),
    ],
)
def test_check_param_headers_accepts(
    declared: dict[str, Any], arguments: Any, headers: dict[str, str]
) -> None:
    check_param_headers(declared, arguments, headers)


@pytest.mark.parametrize(
    ("declared", "arguments", "headers"),
    [
        pytest.param(REGION, {"region": "eu"}, {}, id="S-25-header-missing"),
        pytest.param(REGION, {"region": "eu"}, {"mcp-param-region": "us"}, id="S-25-mismatch"),
        pytest.param(REGION, {"region": "eu"}, {"mcp-param-region": "EU"}, id="S-25-case"),
        pytest.param(REGION, {}, {"mcp-param-region": "eu"}, id="S-28-argument-absent"),
        pytest.param(REGION, {"region": None}, {"mcp-param-region": "eu"},
                     id="S-28-argument-null"),
        pytest.param(REGION, None, {"mcp-param-region": "eu"}, id="S-28-no-arguments"),
        pytest.param(REGION, {"region": "é"}, {"mcp-param-region": "é"},
                     id="S-27-raw-non-ascii"),
        pytest.param(REGION, {"region": "eu"}, {"mcp-param-region": "=?base64?ZX?="},
                     id="S-24-bad-base64"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": "43"}, id="S-26-int-differs"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": "42.5"}, id="S-26-fraction"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": "forty-two"},
                     id="S-26-not-a-number"),
        pytest.param(COUNT, {"count": 42}, {"mcp-param-count": ""}, id="S-26-empty"),
        pytest.param(COUNT, {"count": 1}, {"mcp-param-count": "true"}, id="S-26-int-vs-bool"),
        pytest.param(FLAG, {"flag": True}, {"mcp-param-flag": "True"}, id="S-26-True-case"),
        pytest.param(FLAG, {"flag": True}, {"mcp-param-flag": "1"}, id="S-26-bool-as-1"),
        pytest.param(FLAG, {"flag": False}, {"mcp-param-flag": "0"}, id="S-26-bool-as-0"),
        pytest.param(FLAG, {"flag": False}, {"mcp-param-flag": "true"}, id="S-26-bool-differs"),
        pytest.param({**REGION, **COUNT}, {"region": "eu", "count": 1},
                     {"mcp-param-region": "eu"}, id="one-of-several-missing"),
    ],
)
def test_check_param_headers_rejects(
    declared: dict[str, Any], arguments: Any, headers: dict[str, str]
) -> None:
    with pytest.raises(HeaderMismatch) as info:
        check_param_headers(declared, arguments, headers)
    assert info.value.code == HEADER_MISMATCH
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    ("value", "header"),
    [
        pytest.param(2**53, str(2**53 + 1), id="beyond-float-precision"),
        pytest.param(42, "4_2", id="python-underscore-literal"),
    ],
)
def test_check_param_headers_rejects_integer_that_differs(value: int, header: str) -> None:
    """S-25/S-26: an integer header must equal the body value numerically."""
    with pytest.raises(HeaderMismatch):
        check_param_headers(COUNT, {"count": value}, {"mcp-param-count": header})
