"""Names this app writes to shared stores (cache keys, channel groups), scoped by DEPLOYMENT_KEY."""

from __future__ import annotations

import hashlib
import re

DEPLOYMENT_KEY = re.compile(r"[A-Za-z0-9_.-]{0,40}")  # fits cache keys and group names
MAX_GROUP_NAME = 99  # Channels refuses names of 100 characters or more


def cache_key(deployment: str, key: str) -> str:
    """`<deployment>:<key>`, or `key` itself when no DEPLOYMENT_KEY is set (today's names)."""
    return f"{deployment}:{key}" if deployment else key


def group_name(deployment: str, name: str) -> str:
    """`<deployment>.<name>`, shortened with a digest when it would be too long for Channels."""
    full = f"{deployment}.{name}" if deployment else name
    if len(full) <= MAX_GROUP_NAME:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:16]
    return f"{full[:MAX_GROUP_NAME - 17]}.{digest}"


def channel_prefix(deployment: str) -> str:
    """The prefix `new_channel()` gives this deployment's stream and worker channels."""
    return f"{deployment}.specific." if deployment else "specific."
