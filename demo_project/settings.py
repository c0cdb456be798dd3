"""Demo settings: read from the environment (django-environ); defaults need nothing installed."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="demo-insecure-key-change-me")  # loopback only:
# demo_project/guard.py refuses to serve other addresses with this key
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_project.urls"
ASGI_APPLICATION = "demo_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'demo.sqlite3'}")}

# REDIS_URL (e.g. redis://127.0.0.1:6379/0) switches both the caches (sessions, stream logs) and
# the channel layer (cross-worker delivery) to Redis, for several workers. Without it, one
# process with nothing installed: local-memory caches and an in-memory layer. Either way MCP
# sessions have a cache alias of their own ("mcp_sessions"), so other traffic cannot evict
# them; the local one holds 3 entries per session for both servers' MAX_SESSIONS (W004).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    REDIS_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    CACHES = {"default": REDIS_CACHE, "mcp_sessions": REDIS_CACHE}  # its own alias: W005
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = {
        "default": env.cache("CACHE_URL", default="locmemcache://"),
        "mcp_sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                         "LOCATION": "mcp-sessions", "OPTIONS": {"MAX_ENTRIES": 100_000}},
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

MCP_DJANGO = {
    "SESSION_CACHE_ALIAS": "mcp_sessions",
    "SERVER_NAME": "mcp-django-demo",
    "SERVER_TITLE": "mcp_django demo library",
    "INSTRUCTIONS": "A small library catalogue: search books, read details, ask for advice.",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Under `make demo` (DEBUG) daphne serves the static files itself (demo_project/asgi.py). In
# production set DJANGO_STATIC_ROOT, run `manage.py collectstatic` and let the web server serve
# that folder at STATIC_URL (docs/deployment.md).
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"mcp_django": {"handlers": ["console"],
                               "level": env("MCP_LOG_LEVEL", default="WARNING")}},
}
