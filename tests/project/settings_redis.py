"""The test project on Redis (cache and channel layer): what several workers share."""

import os

from tests.project.settings import *  # noqa: F403

REDIS_URL = os.environ.get("MCP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("MCP_TEST_REDIS_PREFIX", f"mcp-tests-{os.getpid()}")
REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": PREFIX,
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
}
CACHES = {"default": REDIS_CACHE, "mcp_sessions": REDIS_CACHE}  # the alias settings.py names
CHANNEL_LAYERS = {"default": {
    "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "CONFIG": {"hosts": [REDIS_URL], "prefix": PREFIX},
}}

# The worker-bus supervisor's restarts (WARNING "worker bus stopped ...", INFO "worker bus
# restarted") go to stderr, which LiveServer captures in each worker's log file
# (tests/multiworker/test_supervisor.py reads them). Other loggers keep Django's defaults.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"leveled": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "leveled"}},
    "loggers": {"mcp_django.supervisor": {"handlers": ["stderr"], "level": "INFO",
                                          "propagate": False}},
}
