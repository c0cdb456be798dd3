"""ASGI entry point: Django plus the MCP fast path (`mcp_django.asgi`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")

from mcp_django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
