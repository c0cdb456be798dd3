"""ASGI entry point: Django plus the MCP fast path (`mcp_django.asgi`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")

from demo_project.guard import refuse_public_default_key  # noqa: E402
from mcp_django.asgi import get_asgi_application  # noqa: E402

application = refuse_public_default_key(get_asgi_application())
