"""Asking the client for input: elicitation, sampling and roots requests, and their answers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import InvalidParams

ELICIT_ACTIONS = ("accept", "decline", "cancel")


@dataclass(frozen=True)
class InputRequest:
    """One request for client input: `{method, params}` on the wire, needing a capability."""

    method: str
    params: dict[str, Any]
    capability: str

    def to_wire(self) -> dict[str, Any]:
        return {"method": self.method, "params": self.params}


def elicitation(message: str, schema: dict[str, Any]) -> InputRequest:
    """Ask the user to fill in a flat form: `elicitation("Your name?", {"type": "object", ...})`."""
    return InputRequest("elicitation/create", {"message": message, "requestedSchema": schema},
                        "elicitation")


def sampling(messages: list[dict[str, Any]] | str, max_tokens: int = 1000, **params: Any
             ) -> InputRequest:
    """Ask the client's model: `sampling("Capital of France?", max_tokens=100)`."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": {"type": "text", "text": messages}}]
    return InputRequest("sampling/createMessage",
                        {"messages": messages, "maxTokens": max_tokens, **params}, "sampling")


def roots() -> InputRequest:
    """Ask for the client's filesystem roots."""
    return InputRequest("roots/list", {}, "roots")


class InputRequired(Exception):
    """Raised by `Context.ask` in a modern request: the answer is an `input_required` result."""

    def __init__(self, requests: dict[str, InputRequest]) -> None:
        super().__init__("input required")
        self.requests = requests


class StateCodec(Protocol):
    """Seals and opens `requestState` (integrity-protected, expiring, bound to its request)."""

    def seal(self, payload: dict[str, Any]) -> str: ...
    def open(self, token: str) -> dict[str, Any]: ...


def request_binding(method: str, params: dict[str, Any], principal: str) -> dict[str, str]:
    """What a `requestState` is bound to: caller, method, target and a digest of the arguments."""
    target = params.get("uri") if method == "resources/read" else params.get("name")
    arguments = json.dumps(params.get("arguments") or {}, sort_keys=True, default=str)
    digest = hashlib.sha256(arguments.encode()).hexdigest()[:32]
    return {"p": principal, "m": method, "n": str(target), "a": digest}


def check_response(request: InputRequest, response: Any) -> dict[str, Any]:
    """A client's answer, checked for the shape its method requires (-32602 otherwise)."""
    if not isinstance(response, dict):
        raise InvalidParams(f"inputResponses: the answer to {request.method} must be an object")
    if request.method == "elicitation/create" and response.get("action") not in ELICIT_ACTIONS:
        raise InvalidParams("inputResponses: an elicitation answer needs a valid action")
    if request.method == "sampling/createMessage" and not isinstance(response.get("content"),
                                                                     (dict, list)):
        raise InvalidParams("inputResponses: a sampling answer needs content")
    if request.method == "roots/list" and not isinstance(response.get("roots"), list):
        raise InvalidParams("inputResponses: a roots answer needs a roots list")
    return response
