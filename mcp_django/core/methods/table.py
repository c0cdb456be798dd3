"""MethodSpec and MethodTable: everything about one JSON-RPC method, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import MethodNotFound
from ..versions import Era
from .params import Params, check_params

Handler = Callable[[Any, Any, dict[str, Any]], Awaitable[dict[str, Any]]]
BOTH = frozenset({Era.LEGACY, Era.MODERN})
LEGACY = frozenset({Era.LEGACY})
MODERN = frozenset({Era.MODERN})


@dataclass(frozen=True)
class MethodSpec:
    """One method: `MethodSpec("tools/list", list_tools, BOTH, PagedParams)`.

    `name_param` is the params key that `Mcp-Name` mirrors (2026-07-28 transports §Mcp-Name);
    `asks_input` lets the handler end a modern round with `input_required`; `streams` methods
    answer with a long-lived stream the transport opens (their handler only validates);
    `param_headers` checks `Mcp-Param-*` against the tool's schema; `min_version` is the first
    legacy revision that has the method.
    """

    name: str
    handler: Handler
    eras: frozenset[Era] = BOTH
    params: type[Params] | None = None
    name_param: str | None = None
    asks_input: bool = False
    streams: bool = False
    param_headers: bool = False
    min_version: str | None = None

    def check(self, params: dict[str, Any]) -> None:
        if self.params is not None:
            check_params(self.params, params)


class MethodTable:
    """The methods a dispatcher serves, per era. Adding a method is one `add`."""

    def __init__(self, specs: Iterable[MethodSpec] = ()) -> None:
        self._by_era: dict[Era, dict[str, MethodSpec]] = {Era.LEGACY: {}, Era.MODERN: {}}
        for spec in specs:
            self.add(spec)

    def add(self, spec: MethodSpec) -> None:
        for era in spec.eras:
            if spec.name in self._by_era[era]:
                raise ValueError(f"{spec.name} is already in the {era.value} method table")
            self._by_era[era][spec.name] = spec

    def get(self, era: Era, name: str, version: str | None = None) -> MethodSpec | None:
        spec = self._by_era[era].get(name)
        if spec is None or (spec.min_version and version and version < spec.min_version):
            return None
        return spec

    def find(self, era: Era, name: str, version: str | None = None) -> MethodSpec:
        spec = self.get(era, name, version)
        if spec is None:
            raise MethodNotFound(f"Method not found: {name}")
        return spec

    def names(self, era: Era) -> list[str]:
        return list(self._by_era[era])

    def copy(self) -> MethodTable:
        table = MethodTable()
        for era, specs in self._by_era.items():
            table._by_era[era] = dict(specs)
        return table
