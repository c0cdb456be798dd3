"""ASGI entry point of the test project (served by daphne in the e2e tests), static files too."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.project.settings")

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from mcp_django.asgi import get_asgi_application  # noqa: E402

# The admin's CSS for the browser tests (tests/browser); DEBUG is off here, so nothing else
# would serve it.
application = ASGIStaticFilesHandler(get_asgi_application())
