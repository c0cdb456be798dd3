"""Params models: what each method's `params` must hold, checked before its handler runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ...registry.signature import field_errors
from ..errors import InvalidParams

LogLevel = Literal["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]


class Params(BaseModel):
    """Strict (no coercion) and open (unknown keys, `_meta` included, pass through)."""

    model_config = ConfigDict(extra="allow", strict=True)


class PagedParams(Params):
    cursor: str | None = None


class RoundParams(Params):
    """The multi-round retry fields of a method that may ask for input (2026-07-28)."""

    inputResponses: dict[str, Any] | None = None  # noqa: N815 (wire names)
    requestState: str | None = None  # noqa: N815


class CallToolParams(RoundParams):
    name: str
    arguments: dict[str, Any] | None = None


class GetPromptParams(RoundParams):
    name: str
    arguments: dict[str, Any] | None = None


class ReadResourceParams(RoundParams):
    uri: str


class UriParams(Params):
    uri: str


class SetLevelParams(Params):
    level: LogLevel


class CompleteArgument(Params):
    name: str
    value: str = ""


class CompleteContext(Params):
    arguments: dict[str, str] | None = None


class CompleteParams(Params):
    ref: dict[str, Any]
    argument: CompleteArgument
    context: CompleteContext | None = None


class ListenParams(Params):
    notifications: dict[str, Any]


class TaskParams(Params):
    taskId: str  # noqa: N815


class UpdateTaskParams(TaskParams):
    inputResponses: dict[str, Any]  # noqa: N815


def check_params(model: type[Params], params: dict[str, Any]) -> None:
    """-32602 naming every field that does not fit `model`."""
    try:
        model.model_validate(params)
    except ValidationError as exc:
        raise InvalidParams(params_message(exc)) from None


def params_message(exc: ValidationError) -> str:
    return "Invalid params: " + field_errors(exc, "params", "params.")
