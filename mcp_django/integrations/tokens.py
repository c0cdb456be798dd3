"""Bearer tokens `mcp_<prefix>_<secret>`: 128+ bits from `secrets`, stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX_BYTES = 6


def new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"mcp_{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(token: str) -> str:
    """A fast hash is right here: the secret is random, not a password to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


def split(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "mcp" or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    return parts[1]


def matches(token: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(token), secret_hash)
