"""Exchange: what the stages of one POST learn about it, carried from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.jsonrpc import JsonRpcRequest, Message
from ..core.versions import Era
from ..sessions.base import SessionData
from .http import IncomingRequest

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .ids import StreamIds


@dataclass(eq=False)
class Exchange:
    """Filled in order: request → principal → message → era → session → ctx → ids."""

    request: IncomingRequest
    principal: Any = None
    message: Message | None = None
    era: Era | None = None
    session: SessionData | None = None
    ctx: Context | None = None
    ids: StreamIds | None = None

    @property
    def request_id(self) -> Any:
        return getattr(self.message, "id", None)

    @property
    def call(self) -> JsonRpcRequest:
        """The message, once a stage has established it is a request."""
        assert isinstance(self.message, JsonRpcRequest)
        return self.message


def new_context(runtime: Runtime, message: JsonRpcRequest, era: Era, version: str,
                principal: Any, **fields: Any) -> Context:
    return Context(message.id, message.method, era, version, message.params,
                   principal=principal, principal_key=runtime.principal_key(principal),
                   run_sync=runtime.run_sync, server=runtime.facade, **fields)
