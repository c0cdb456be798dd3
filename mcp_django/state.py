"""Signed, expiring `requestState` for multi-round requests (django.core.signing)."""

from __future__ import annotations

from typing import Any

from django.core import signing

from .core.errors import InvalidParams


class SignedStateCodec:
    """Seals a payload with the project's SECRET_KEY (salted per server); rejects tampering."""

    def __init__(self, server_name: str, max_age: float) -> None:
        self.salt = f"mcp_django.request_state.{server_name}"
        self.max_age = max_age

    def seal(self, payload: dict[str, Any]) -> str:
        return signing.dumps(payload, salt=self.salt, compress=True)

    def open(self, token: str) -> dict[str, Any]:
        try:
            payload = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.SignatureExpired:
            raise InvalidParams("requestState has expired") from None
        except signing.BadSignature:
            raise InvalidParams("requestState is invalid or was tampered with") from None
        if not isinstance(payload, dict):
            raise InvalidParams("requestState is invalid")
        return payload
