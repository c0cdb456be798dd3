"""The test project on Redis (cache and channel layer): what several workers share."""

import os

from tests.project.settings import *  # noqa: F403

REDIS_URL = os.environ.get("MCP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("MCP_TEST_REDIS_PREFIX", f"mcp-tests-{os.getpid()}")
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": PREFIX,
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
}}
CHANNEL_LAYERS = {"default": {
    "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "CONFIG": {"hosts": [REDIS_URL], "prefix": PREFIX},
}}
