"""Registry: the tools, resources, prompts and completions one server exposes, in stable order."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from ..core.errors import ConfigError
from .prompts import PromptSpec, build_prompt
from .resources import ResourceSpec, ResourceTemplateSpec, build_resource
from .tools import ToolSpec

F = TypeVar("F", bound=Callable[..., Any])
CompletionHandler = Callable[..., Any]
logger = logging.getLogger("mcp_django.registry")
DUPLICATE_HINT = "Give one of them another name (name=...) or remove it: the first is served."
INVALID_HINT = "It is not served until this is fixed."


@dataclass(frozen=True)
class Problem:
    """A misconfiguration met while registering, reported by the system checks."""

    id: str
    message: str
    obj: str | None = None  # what to fix (None: the server the registry belongs to)
    hint: str | None = None


def definition(func: Callable[..., Any]) -> str:
    """Where a function is defined, as `module.qualname`."""
    module = getattr(func, "__module__", None) or "?"
    return f"{module}.{getattr(func, '__qualname__', repr(func))}"


def named(func: F, owner: type, member: str) -> F:
    """Make a generated function tell where it comes from: `owner`'s module, `Owner.member`."""
    func.__module__, func.__qualname__ = owner.__module__, f"{owner.__qualname__}.{member}"
    return func


class Registry:
    """Holds one server's specs. Decorators record a spec and return the function unchanged."""

    def __init__(self) -> None:
        self.tools: dict[str, ToolSpec] = {}
        self.resources: dict[str, ResourceSpec] = {}
        self.templates: dict[str, ResourceTemplateSpec] = {}
        self.prompts: dict[str, PromptSpec] = {}
        self.completions: dict[tuple[str, str], CompletionHandler] = {}
        self.listeners: list[Callable[[str], Any]] = []
        self.problems: list[Problem] = []  # reported by the system checks (mcp_django.E004…)

    # -- decorators -------------------------------------------------------------------------
    @overload
    def tool(self, func: F, /) -> F: ...
    @overload
    def tool(self, func: None = None, /, **options: Any) -> Callable[[F], F]: ...

    def tool(self, func: Any = None, /, **options: Any) -> Any:
        """Register a tool: `@registry.tool` or `@registry.tool(name=..., title=...)`."""
        def register(f: F) -> F:
            self.record(lambda: self.add_tool(ToolSpec.build(f, **options)), definition(f))
            return f
        return register(func) if func is not None else register

    def resource(self, uri: str, **options: Any) -> Callable[[F], F]:
        """Register a resource (`"app://readme"`) or a template (`"app://items/{id}"`)."""
        def register(f: F) -> F:
            self.record(lambda: self.add_resource(build_resource(f, uri, **options)),
                        definition(f))
            return f
        return register

    @overload
    def prompt(self, func: F, /) -> F: ...
    @overload
    def prompt(self, func: None = None, /, **options: Any) -> Callable[[F], F]: ...

    def prompt(self, func: Any = None, /, **options: Any) -> Any:
        """Register a prompt: `@registry.prompt` or `@registry.prompt(title=...)`."""
        def register(f: F) -> F:
            self.record(lambda: self.add_prompt(build_prompt(f, **options)), definition(f))
            return f
        return register(func) if func is not None else register

    def completion(self, *, prompt: str | None = None, resource: str | None = None
                   ) -> Callable[[F], F]:
        """Register argument completion for a prompt name or a resource template URI.

        The handler takes `(argument: str, value: str, context: dict)` and returns a list of
        strings (at most 100 are sent).
        """
        if (prompt is None) == (resource is None):
            raise ConfigError("completion() needs exactly one of prompt= or resource=")
        key = ("ref/prompt", prompt) if prompt is not None else ("ref/resource", resource)

        def register(f: F) -> F:
            self.completions[key] = f  # type: ignore[index]
            return f
        return register

    def record(self, add: Callable[[], None], where: str = "", obj: str | None = None,
               hint: str | None = None) -> None:
        """Run `add`; a ConfigError becomes problem E004 (and a warning) instead of crashing
        the import, and with it every `manage.py` command. The first definition stays."""
        try:
            add()
        except ConfigError as exc:
            message = str(exc) if where in str(exc) else f"{where}: {exc}"
            logger.warning("%s (system check mcp_django.E004)", message)
            hint = hint or (DUPLICATE_HINT if message.count("Duplicate ") else INVALID_HINT)
            self.problems.append(Problem("mcp_django.E004", message, obj, hint))

    # -- mutation ---------------------------------------------------------------------------
    def add_tool(self, spec: ToolSpec) -> None:
        self._add(self.tools, spec.name, spec, "tool")
        self._changed("tools")

    def remove_tool(self, name: str) -> None:
        if self.tools.pop(name, None) is not None:
            self._changed("tools")

    def add_resource(self, spec: ResourceSpec) -> None:
        if isinstance(spec, ResourceTemplateSpec):
            self._add(self.templates, spec.uri, spec, "resource template")
        else:
            self._add(self.resources, spec.uri, spec, "resource")
        self._changed("resources")

    def add_prompt(self, spec: PromptSpec) -> None:
        self._add(self.prompts, spec.name, spec, "prompt")
        self._changed("prompts")

    def remove_prompt(self, name: str) -> None:
        if self.prompts.pop(name, None) is not None:
            self._changed("prompts")

    @staticmethod
    def _add(table: dict[str, Any], key: str, spec: Any, kind: str) -> None:
        if key in table:
            raise ConfigError(f"Duplicate {kind} {key!r}: {definition(table[key].func)} and "
                              f"{definition(spec.func)} (the first is kept)")
        table[key] = spec

    def _changed(self, kind: str) -> None:
        for listener in self.listeners:
            listener(kind)

    # -- lookup -----------------------------------------------------------------------------
    def find_resource(self, uri: str) -> tuple[ResourceSpec, dict[str, str]] | None:
        spec = self.resources.get(uri)
        if spec is not None:
            return spec, {}
        for template in self.templates.values():
            variables = template.match(uri)
            if variables is not None:
                return template, variables
        return None
