"""ASGI entry point: Django plus the MCP fast path (`mcp_django.asgi`), static files in DEBUG."""

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from demo_project.guard import refuse_public_default_key  # noqa: E402
from mcp_django.asgi import get_asgi_application  # noqa: E402


def build(debug: bool) -> Any:
    """The demo's app; with `debug`, daphne serves the admin's CSS and JavaScript itself (in
    production run collectstatic and let the web server serve STATIC_ROOT). The demo-key
    guard stays outermost, so it refuses static requests on public addresses too."""
    application = get_asgi_application()
    if debug:
        application = ASGIStaticFilesHandler(application)
    return refuse_public_default_key(application)


application = build(settings.DEBUG)
