"""JSON-RPC batches on stdio: as on HTTP, 2025-03-26 sessions only (2025-03-26 basic §batching)."""

from __future__ import annotations

from typing import Any

from ..core.errors import InternalError, InvalidRequest
from ..core.jsonrpc import (
    InvalidMessage,
    JsonRpcRequest,
    Message,
    dump,
    error_message,
    parse_message,
)
from ..core.versions import supports
from ..sessions.base import SessionData


def refuse_batch(session: SessionData | None, payload: list[Any], max_batch: int) -> None:
    """-32600 outside a 2025-03-26 session, for an empty batch, or past MAX_BATCH."""
    if session is None or not supports(session.protocol_version, "batch") or not payload:
        raise InvalidRequest("Invalid request: batches are only accepted in 2025-03-26 "
                             "sessions")
    if len(payload) > max_batch:
        raise InvalidRequest(f"Invalid request: a batch of {len(payload)} messages exceeds "
                             f"MAX_BATCH ({max_batch})")


def parse_items(payload: list[Any]) -> list[Message | dict[str, Any]]:
    """Each item as a message, or as the error that answers it; no initialize inside."""
    messages = [_parse_or_error(item) for item in payload]
    if any(isinstance(m, JsonRpcRequest) and m.method == "initialize" for m in messages):
        raise InvalidRequest("Invalid request: initialize cannot be batched")
    return messages


def _parse_or_error(item: Any) -> Message | dict[str, Any]:
    try:
        return parse_message(item)
    except InvalidMessage as exc:
        return error_message(exc.request_id, exc)


class BatchReplies:
    """A batch's answers; past `limit` bytes an answer is replaced by an error, so one batch
    cannot make an unbounded line (MAX_BATCH_RESPONSE_BYTES, as on HTTP)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.messages: list[dict[str, Any]] = []
        self.size = 2

    def add(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            return
        size = len(dump(answer))
        if self.size + size + 1 > self.limit:
            answer = error_message(answer.get("id"), InternalError(
                f"The batch's answers exceed MAX_BATCH_RESPONSE_BYTES ({self.limit} bytes)"))
            size = len(dump(answer))
        self.messages.append(answer)
        self.size += size + 1
