"""ToolSpec: a registered tool function and its schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import ConfigError
from .signature import Signature, inspect_callable

TOOL_NAME = re.compile(r"[A-Za-z0-9._-]{1,128}")
TASK_SUPPORT = (None, "optional", "required")


@dataclass
class ToolSpec:
    name: str
    func: Callable[..., Any]
    signature: Signature
    description: str | None = None
    title: str | None = None
    annotations: dict[str, Any] | None = None
    icons: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    task: str | None = None
    permissions: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, func: Callable[..., Any], name: str | None = None, **options: Any) -> ToolSpec:
        name = name or func.__name__
        if not TOOL_NAME.fullmatch(name):
            raise ConfigError(f"Invalid tool name {name!r}: use 1-128 of A-Z a-z 0-9 _ - .")
        if options.get("task") not in TASK_SUPPORT:
            raise ConfigError(f"Tool {name!r}: task must be one of {TASK_SUPPORT}")
        structured = options.pop("structured_output", None)
        input_schema = options.pop("input_schema", None)
        signature = inspect_callable(func, f"{name}Arguments", structured)
        if input_schema is not None:
            signature = replace(signature, input_schema=input_schema)
        description = options.pop("description", None) or _doc(func)
        return cls(name, func, signature, description, **options)

    def definition(self) -> dict[str, Any]:
        """The `tools/list` entry, in the newest revision's shape."""
        entry: dict[str, Any] = {"name": self.name}
        if self.title:
            entry["title"] = self.title
        entry["description"] = self.description or ""
        entry["inputSchema"] = self.signature.input_schema
        if self.signature.output_schema is not None:
            entry["outputSchema"] = self.signature.output_schema
        if self.task is not None:  # 2025-11-25 only; shaping drops it elsewhere
            entry["execution"] = {"taskSupport": self.task}
        for key, value in (("annotations", self.annotations), ("icons", self.icons),
                           ("_meta", self.meta)):
            if value:
                entry[key] = value
        return entry


def _doc(func: Callable[..., Any]) -> str | None:
    doc = (func.__doc__ or "").strip()
    return doc or None
