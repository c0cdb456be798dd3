"""Modern (2026-07-28) request headers: Mcp-Method, Mcp-Name and Mcp-Param-* (S-19..S-28)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import HeaderMismatch

_BASE64_VALUE = re.compile(r"=\?base64\?(.*)\?=", re.DOTALL)
_BASE64_ALPHABET = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_VISIBLE = re.compile(r"[\x20-\x7e\t]*")


def decode_header_value(raw: str) -> str:
    """Strip optional whitespace and decode the `=?base64?…?=` sentinel (S-23, S-24)."""
    value = raw.strip(" \t")
    if not _VISIBLE.fullmatch(value):
        raise HeaderMismatch("Header value has characters outside visible ASCII")
    found = _BASE64_VALUE.fullmatch(value)
    if not found:
        return value
    encoded = found.group(1)
    if not _BASE64_ALPHABET.fullmatch(encoded) or len(encoded) % 4:
        raise HeaderMismatch("Header value has invalid base64")
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise HeaderMismatch("Header value has invalid base64") from None


def check_method_headers(method: str, params: dict[str, Any], headers: Mapping[str, str],
                         name_param: str | None = None) -> None:
    """Mcp-Method must equal the body method; Mcp-Name the `name_param` parameter of the
    method's spec (S-20, S-22, S-83)."""
    header_method = headers.get("mcp-method")
    if header_method is None or header_method.strip(" \t") != method:
        raise HeaderMismatch("Mcp-Method header does not match the request method")
    if name_param is None:
        return
    raw = headers.get("mcp-name")
    if raw is None:
        raise HeaderMismatch("Missing Mcp-Name header")
    if decode_header_value(raw) != params.get(name_param):
        raise HeaderMismatch(f"Mcp-Name header does not match params.{name_param}")


def header_properties(input_schema: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """`{lower header name: (property, json type)}` for `x-mcp-header` top-level properties."""
    found = {}
    for prop, schema in input_schema.get("properties", {}).items():
        header = schema.get("x-mcp-header") if isinstance(schema, dict) else None
        if isinstance(header, str) and header:
            found[header.lower()] = (prop, schema.get("type"))
    return found


def check_param_headers(
    declared: dict[str, tuple[str, str | None]], arguments: Any, headers: Mapping[str, str]
) -> None:
    """Each declared `Mcp-Param-*` header mirrors its argument exactly (S-25..S-28)."""
    arguments = arguments if isinstance(arguments, dict) else {}
    for lower, (prop, json_type) in declared.items():
        raw = headers.get("mcp-param-" + lower)
        value = arguments.get(prop)
        if value is None:
            if raw is not None:
                raise HeaderMismatch(f"Mcp-Param-{lower} sent but argument {prop!r} is absent")
            continue
        if raw is None:
            raise HeaderMismatch(f"Missing Mcp-Param-{lower} header for argument {prop!r}")
        if not _same_value(decode_header_value(raw), value, json_type):
            raise HeaderMismatch(f"Mcp-Param-{lower} header does not match argument {prop!r}")


def _same_value(header: str, value: Any, json_type: str | None) -> bool:
    if isinstance(value, bool):
        return header == ("true" if value else "false")
    if isinstance(value, (int, float)):
        if not _NUMBER.fullmatch(header):
            return False
        return Decimal(header) == Decimal(repr(value) if isinstance(value, float) else value)
    return header == str(value)
