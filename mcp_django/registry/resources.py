"""Resources and URI templates (RFC 6570 level 1 and `{+var}` matching)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..core.errors import ConfigError
from .signature import Signature, inspect_callable

_VARIABLE = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class ResourceSpec:
    uri: str
    name: str
    func: Callable[..., Any]
    signature: Signature
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    annotations: dict[str, Any] | None = None
    icons: list[dict[str, Any]] | None = None
    size: int | None = None

    def definition(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"uri": self.uri, "name": self.name}
        _add_common(entry, self)
        if self.size is not None:
            entry["size"] = self.size
        return entry


@dataclass
class ResourceTemplateSpec(ResourceSpec):
    pattern: re.Pattern[str] | None = None

    def match(self, uri: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(uri) if self.pattern is not None else None
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    def definition(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"uriTemplate": self.uri, "name": self.name}
        _add_common(entry, self)
        return entry


def _add_common(entry: dict[str, Any], spec: ResourceSpec) -> None:
    for key, value in (("title", spec.title), ("description", spec.description),
                       ("mimeType", spec.mime_type), ("annotations", spec.annotations),
                       ("icons", spec.icons)):
        if value:
            entry[key] = value


def compile_template(template: str) -> re.Pattern[str]:
    """`test://items/{id}` → a regex with one named group per variable."""
    pattern, position = [], 0
    names = [match.group(2) for match in _VARIABLE.finditer(template)]
    if len(names) != len(set(names)):
        raise ConfigError(f"Resource template {template!r} repeats a variable")
    for variable in _VARIABLE.finditer(template):
        pattern.append(re.escape(template[position:variable.start()]))
        reserved, name = variable.groups()
        pattern.append(f"(?P<{name}>.+)" if reserved else f"(?P<{name}>[^/?#]+)")
        position = variable.end()
    pattern.append(re.escape(template[position:]))
    return re.compile("".join(pattern))


def build_resource(func: Callable[..., Any], uri: str, name: str | None = None,
                   **options: Any) -> ResourceSpec:
    name = name or func.__name__
    description = options.pop("description", None) or (func.__doc__ or "").strip() or None
    signature = inspect_callable(func, f"{name}Params", structured_output=False)
    if "{" not in uri:
        if signature.arg_model.model_fields:
            raise ConfigError(f"Resource {uri!r} has no URI variables but takes arguments")
        return ResourceSpec(uri, name, func, signature, description=description, **options)
    pattern = compile_template(uri)
    missing = set(signature.arg_model.model_fields) - set(pattern.groupindex)
    if missing:
        raise ConfigError(f"Resource template {uri!r} lacks variables for {sorted(missing)}")
    return ResourceTemplateSpec(uri, name, func, signature, description=description,
                                pattern=pattern, **options)
