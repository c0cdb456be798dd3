"""Typed protocol errors; each carries its JSON-RPC code, the dispatcher maps them to the wire."""

from __future__ import annotations

from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND_LEGACY = -32002
HEADER_MISMATCH = -32020
MISSING_CAPABILITY = -32021
UNSUPPORTED_VERSION = -32022


class McpError(Exception):
    """Base of every error that becomes a JSON-RPC error object."""

    code: int = INTERNAL_ERROR
    default_message: str = "Internal error"
    http_status: int = 200

    def __init__(self, message: str | None = None, data: Any = None,
                 code: int | None = None) -> None:
        self.message = message or self.default_message
        self.data = data
        if code is not None:  # e.g. replaying an error recorded earlier
            self.code = code
        super().__init__(self.message)

    def to_error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class ParseError(McpError):
    code = PARSE_ERROR
    default_message = "Parse error"
    http_status = 400


class InvalidRequest(McpError):
    code = INVALID_REQUEST
    default_message = "Invalid request"
    http_status = 400


class MethodNotFound(McpError):
    code = METHOD_NOT_FOUND
    default_message = "Method not found"


class InvalidParams(McpError):
    code = INVALID_PARAMS
    default_message = "Invalid params"


class InvalidMeta(InvalidParams):
    """Modern request metadata missing or malformed (HTTP 400, V-9)."""

    http_status = 400


class InternalError(McpError):
    code = INTERNAL_ERROR
    default_message = "Internal error"


class ServiceUnavailable(InternalError):
    """Shared state (cache, channel layer, database) cannot be reached: HTTP 503, retry later."""

    default_message = "Service temporarily unavailable: shared storage is not reachable"
    http_status = 503


class RequestTimeout(InternalError):
    default_message = "Request timed out"


class ResourceNotFound(McpError):
    """Unknown resource URI; the code differs per era (C-8), chosen by the dispatcher."""

    code = INVALID_PARAMS
    default_message = "Resource not found"

    def __init__(self, uri: str) -> None:
        super().__init__(f"Resource not found: {uri}", {"uri": uri})


class HeaderMismatch(McpError):
    code = HEADER_MISMATCH
    default_message = "Header mismatch"
    http_status = 400


class MissingCapability(McpError):
    code = MISSING_CAPABILITY
    default_message = "Missing required client capability"
    http_status = 400

    def __init__(self, required: dict[str, Any], message: str | None = None) -> None:
        super().__init__(message, {"requiredCapabilities": required})


class UnsupportedVersion(McpError):
    code = UNSUPPORTED_VERSION
    default_message = "Unsupported protocol version"
    http_status = 400

    def __init__(self, requested: Any, supported: list[str]) -> None:
        super().__init__(
            f"Unsupported protocol version: {requested}",
            {"supported": supported, "requested": requested},
        )


class ToolError(Exception):
    """Raised by tool authors; always becomes a `CallToolResult` with `isError: true`."""


class ConfigError(Exception):
    """Invalid registration or configuration, raised at startup."""
