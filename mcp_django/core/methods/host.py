"""Host: what a method handler may use of the dispatcher that runs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ...registry.base import Registry
from ...registry.signature import Signature
from ..context import Context
from ..options import ServerOptions
from ..tasks import TaskBackend
from ..versions import Era


class Host(Protocol):
    registry: Registry
    options: ServerOptions
    tasks: TaskBackend | None

    def can_see(self, ctx: Context, spec: Any) -> bool: ...
    def capabilities(self, era: Era, version: str) -> dict[str, Any]: ...
    def cacheable(self, result: dict[str, Any], ttl_ms: int, scope: str | None = None
                  ) -> dict[str, Any]: ...
    async def invoke(self, ctx: Context, func: Callable[..., Any], signature: Signature,
                     kwargs: dict[str, Any]) -> Any: ...
