"""App config: register checks, autodiscover each installed app's `mcp` module."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.module_loading import autodiscover_modules


class McpDjangoConfig(AppConfig):
    name = "mcp_django"
    verbose_name = "MCP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .conf import mcp_settings

        autodiscover_modules(mcp_settings.AUTODISCOVER_MODULE)
        setting_changed.connect(_reset_servers)


def _reset_servers(*, setting: str, **kwargs: object) -> None:
    if setting in ("MCP_DJANGO", "ALLOWED_HOSTS", "DEBUG", "CACHES", "CHANNEL_LAYERS"):
        from .server import servers

        for server in servers.values():
            server.reset()
