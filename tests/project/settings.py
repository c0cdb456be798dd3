"""Settings for the test suite: the demo project's apps and servers on a file SQLite database."""

import json
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "tests-only-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "mcp_django",
    "demo_project.library",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.project.urls"
ASGI_APPLICATION = "tests.project.asgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
# A file database: live daphne processes must see what the tests write. One per pytest
# process (daphne children get its path through MCP_TEST_DB), so parallel runs never collide.
# A live server's children (and the command tools they start) find the parent's test database
# in MCP_LIVE_DATABASES, which mcp_django.testing sets; other processes in MCP_TEST_DB.
TEST_DB = json.loads(os.environ.get("MCP_LIVE_DATABASES") or "{}").get("default") or \
    os.environ.get("MCP_TEST_DB") or os.path.join(
    tempfile.gettempdir(), f"mcp-django-tests-{os.getpid()}.sqlite3")
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": TEST_DB,
    "TEST": {"NAME": TEST_DB},
}}
# Sessions get a cache of their own, sized for every server's MAX_SESSIONS (3 entries each:
# record, stream log, owner note) so no other traffic can evict them (mcp_django.W004/W005).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "mcp_sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                     "LOCATION": "mcp-sessions", "OPTIONS": {"MAX_ENTRIES": 1_000_000}},
}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
MCP_DJANGO = {"SERVER_NAME": "mcp-django-tests", "SSE_KEEPALIVE_SECONDS": 2.0,
              "ALLOWED_ORIGINS": ["https://allowed.example"], "ALLOW_ANONYMOUS": True,
              "SESSION_CACHE_ALIAS": "mcp_sessions"}
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
