"""Protocol revisions, version negotiation and per-request era classification (checklist §1.1)."""

from __future__ import annotations

import enum
from typing import Any

from .errors import HeaderMismatch, InvalidMeta, UnsupportedVersion

MODERN_VERSIONS: tuple[str, ...] = ("2026-07-28",)
LEGACY_VERSIONS: tuple[str, ...] = ("2025-11-25", "2025-06-18", "2025-03-26")
DEFAULT_LEGACY_HEADER_VERSION = "2025-03-26"

META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_LOG_LEVEL = "io.modelcontextprotocol/logLevel"
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"
META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"


class Era(enum.Enum):
    LEGACY = "legacy"
    MODERN = "modern"


def supported_versions(modern: tuple[str, ...], legacy: tuple[str, ...]) -> list[str]:
    """Every served revision, modern first (V-7)."""
    return [*modern, *legacy]


def negotiate(requested: Any, legacy: tuple[str, ...] = LEGACY_VERSIONS) -> str:
    """Answer an `initialize`: echo a served legacy revision, else the newest one (V-16, L-24)."""
    if isinstance(requested, str) and requested in legacy:
        return requested
    return legacy[0]


# The first (and, for batches, the last) legacy revision that has each feature. Revisions are
# ISO dates, so string order is release order; the modern revision has every feature but batches.
FEATURES: dict[str, tuple[str, str | None]] = {
    "batch": ("2025-03-26", "2025-03-26"),            # 2025-03-26 basic §batching
    "progress_message": ("2025-03-26", None),          # 2025-03-26 utilities/progress
    "title": ("2025-06-18", None),                     # 2025-06-18 BaseMetadata.title
    "structured_content": ("2025-06-18", None),        # 2025-06-18 tools §output schema
    "resource_links": ("2025-06-18", None),            # 2025-06-18 tools §resource links
    "icons": ("2025-11-25", None),                     # 2025-11-25 Icons (SEP-973)
    "server_description": ("2025-11-25", None),        # 2025-11-25 Implementation fields
    "tasks": ("2025-11-25", None),                     # 2025-11-25 utilities/tasks
    "priming": ("2025-11-25", None),                   # 2025-11-25 transports §2.1 (SEP-1699)
    "execution": ("2025-11-25", None),                 # 2025-11-25 Tool.execution
}


def supports(version: str, feature: str) -> bool:
    """Whether a revision has a feature of `FEATURES` (unknown feature names raise KeyError)."""
    first, last = FEATURES[feature]
    return version >= first and (last is None or version <= last)


def request_meta(params: dict[str, Any]) -> dict[str, Any] | None:
    meta = params.get("_meta")
    return meta if isinstance(meta, dict) else None


def classify(
    header_version: str | None,
    params: dict[str, Any],
    modern: tuple[str, ...] = MODERN_VERSIONS,
    legacy: tuple[str, ...] = LEGACY_VERSIONS,
) -> Era:
    """Decide the era of one POSTed message, raising the modern error rows of table 1.1."""
    meta = request_meta(params)
    if meta is not None and META_PROTOCOL_VERSION in meta:
        return _check_modern_versions(header_version, meta[META_PROTOCOL_VERSION], modern, legacy)
    if header_version is None or header_version in legacy:
        return Era.LEGACY
    if header_version in modern:
        raise InvalidMeta(f"Missing _meta[{META_PROTOCOL_VERSION!r}]")
    raise UnsupportedVersion(header_version, supported_versions(modern, legacy))


def _check_modern_versions(
    header_version: str | None, meta_version: Any, modern: tuple[str, ...], legacy: tuple[str, ...]
) -> Era:
    if not isinstance(meta_version, str):
        raise InvalidMeta(f"_meta[{META_PROTOCOL_VERSION!r}] must be a string")
    if header_version is None:
        raise HeaderMismatch("Missing MCP-Protocol-Version header")
    if header_version != meta_version:
        raise HeaderMismatch("MCP-Protocol-Version header does not match _meta protocolVersion")
    if meta_version not in modern:
        raise UnsupportedVersion(meta_version, supported_versions(modern, legacy))
    return Era.MODERN
