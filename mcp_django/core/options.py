"""ServerOptions: the settings the protocol core needs, passed in by the outer layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .versions import LEGACY_VERSIONS, MODERN_VERSIONS, supports


@dataclass(frozen=True)
class ServerOptions:
    name: str = "mcp-django"
    version: str = "0.1.0"
    title: str | None = None
    description: str | None = None
    website_url: str | None = None
    icons: tuple[dict[str, Any], ...] = ()
    instructions: str | None = None
    page_size: int = 100
    list_ttl_ms: int = 60_000
    read_ttl_ms: int = 0
    cache_scope: str = "public"
    expose_error_details: bool = False
    max_uri_length: int = 2048
    modern_versions: tuple[str, ...] = MODERN_VERSIONS
    legacy_versions: tuple[str, ...] = LEGACY_VERSIONS
    extra_capabilities: dict[str, Any] = field(default_factory=dict)

    def server_info(self, version: str | None = None) -> dict[str, Any]:
        """`serverInfo` for a revision (None = newest): fields it lacks are left out (L-23)."""
        info: dict[str, Any] = {"name": self.name, "version": self.version}
        if version is None or supports(version, "title"):
            if self.title:
                info["title"] = self.title
        if version is None or supports(version, "server_description"):
            for key, value in (("description", self.description), ("websiteUrl", self.website_url),
                               ("icons", list(self.icons))):
                if value:
                    info[key] = value
        return info
