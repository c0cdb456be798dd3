"""Validate server messages against the official JSON schema of their protocol revision."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema.validators import validator_for

SCHEMAS = Path(__file__).parent / "schemas"

RESULT_DEFS = {
    "initialize": "InitializeResult",
    "ping": "EmptyResult",
    "logging/setLevel": "EmptyResult",
    "resources/subscribe": "EmptyResult",
    "resources/unsubscribe": "EmptyResult",
    "server/discover": "DiscoverResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "completion/complete": "CompleteResult",
    "tasks/get": "GetTaskResult",         # 2025-11-25 only (the 2026 extension is not in the
    "tasks/list": "ListTasksResult",      # core schema; validated where the definition exists)
    "tasks/cancel": "CancelTaskResult",
    "tasks/result": "GetTaskPayloadResult",
}
REQUEST_DEFS = {
    "elicitation/create": "ElicitRequest",
    "sampling/createMessage": "CreateMessageRequest",
    "roots/list": "ListRootsRequest",
}
NOTIFICATION_DEFS = {
    "notifications/cancelled": "CancelledNotification",
    "notifications/tasks/status": "TaskStatusNotification",
    "notifications/progress": "ProgressNotification",
    "notifications/message": "LoggingMessageNotification",
    "notifications/tools/list_changed": "ToolListChangedNotification",
    "notifications/prompts/list_changed": "PromptListChangedNotification",
    "notifications/resources/list_changed": "ResourceListChangedNotification",
    "notifications/resources/updated": "ResourceUpdatedNotification",
}


@functools.cache
def _document(revision: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / revision / "schema.json").read_text())


@functools.cache
def validator(revision: str, name: str) -> Any:
    document = _document(revision)
    key = "$defs" if "$defs" in document else "definitions"
    if name not in document[key]:
        raise KeyError(f"{name} is not defined in the {revision} schema")
    cls = validator_for(document)
    return cls({**document, "$ref": f"#/{key}/{name}"}, format_checker=cls.FORMAT_CHECKER)


def has_definition(revision: str, name: str) -> bool:
    document = _document(revision)
    return name in document.get("$defs", document.get("definitions", {}))


def _envelopes(revision: str) -> tuple[str, str]:
    if revision >= "2025-11-25":
        return "JSONRPCResultResponse", "JSONRPCErrorResponse"
    return "JSONRPCResponse", "JSONRPCError"


def validate_message(message: dict[str, Any], revision: str, method: str | None = None) -> None:
    """Raise `jsonschema.ValidationError` when `message` breaks the `revision` schema.

    `method` names the request a response answers (its result definition depends on it).
    """
    result_envelope, error_envelope = _envelopes(revision)
    if "method" in message and "id" in message:
        validator(revision, REQUEST_DEFS.get(message["method"], "JSONRPCRequest")
                  ).validate(message)
    elif "method" in message:
        name = NOTIFICATION_DEFS.get(message["method"], "JSONRPCNotification")
        validator(revision, name).validate(message)
    elif "error" in message:
        validator(revision, error_envelope).validate(message)
    else:
        validator(revision, result_envelope).validate(message)
        result = message["result"]
        kind = result.get("resultType") if isinstance(result, dict) else None
        if kind == "input_required":
            validator(revision, "InputRequiredResult").validate(result)
        elif kind == "task":  # the tasks extension's shapes are not in the core schema
            return
        elif method == "tools/call" and isinstance(result, dict) and "task" in result:
            validator(revision, "CreateTaskResult").validate(result)
        elif method in RESULT_DEFS and has_definition(revision, RESULT_DEFS[method]):
            validator(revision, RESULT_DEFS[method]).validate(result)


def parse_sse(body: str) -> list[dict[str, Any]]:
    """The JSON messages of an SSE body (events with empty data, e.g. priming, are skipped)."""
    messages = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in block.split("\n")
                         if line.startswith("data:"))
        if data.strip():
            messages.append(json.loads(data))
    return messages
