"""PromptSpec: a registered prompt function, its arguments and message helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .content import Content, text
from .signature import Signature, inspect_callable


@dataclass
class PromptSpec:
    name: str
    func: Callable[..., Any]
    signature: Signature
    title: str | None = None
    description: str | None = None
    icons: list[dict[str, Any]] | None = None
    argument_descriptions: dict[str, str] | None = None

    def arguments(self) -> list[dict[str, Any]]:
        descriptions = self.argument_descriptions or {}
        entries = []
        for name, info in self.signature.arg_model.model_fields.items():
            entry: dict[str, Any] = {"name": name, "required": info.is_required()}
            description = descriptions.get(name) or info.description
            if description:
                entry["description"] = description
            entries.append(entry)
        return entries

    def definition(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name}
        for key, value in (("title", self.title), ("description", self.description or ""),
                           ("icons", self.icons)):
            if value is not None:
                entry[key] = value
        entry["arguments"] = self.arguments()
        return entry


def build_prompt(func: Callable[..., Any], name: str | None = None, **options: Any) -> PromptSpec:
    name = name or func.__name__
    description = options.pop("description", None) or (func.__doc__ or "").strip() or None
    signature = inspect_callable(func, f"{name}Arguments", structured_output=False)
    return PromptSpec(name, func, signature, description=description, **options)


def user(content: str | Content) -> dict[str, Any]:
    """A user message for a prompt result: `user("Summarise this")`."""
    return {"role": "user", "content": text(content) if isinstance(content, str) else content}


def assistant(content: str | Content) -> dict[str, Any]:
    """An assistant message for a prompt result."""
    return {"role": "assistant", "content": text(content) if isinstance(content, str) else content}


def to_messages(value: Any) -> list[dict[str, Any]]:
    """Prompt messages for a handler's return value (str, one message, a list, or None for
    none)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [user(value)]
    if isinstance(value, dict):
        return [value]
    return [user(item) if isinstance(item, str) else item for item in value]
