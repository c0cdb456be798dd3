"""ASGI entry point of the test project (served by daphne in the e2e tests)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.project.settings")

from mcp_django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
