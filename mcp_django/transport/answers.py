"""PendingAnswers: server→client requests of legacy sessions, awaiting the POSTed answers."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from ..core.context import Context
from ..core.errors import InternalError
from ..core.inputs import InputRequest, check_response
from ..core.jsonrpc import JsonRpcResponse, notification_message, request_message
from ..routing.bus import WorkerBus
from .inflight import is_request_id


class PendingAnswers:
    """Sends requests on the caller's SSE stream and matches the answers by id (L-45..L-49)."""

    def __init__(self, bus: WorkerBus, input_timeout: float) -> None:
        self.bus = bus
        self.input_timeout = input_timeout
        self.pending: dict[tuple[str, Any], asyncio.Future[Any]] = {}
        bus.on("answer", lambda m: self.settle(m["session"], m["id"], m.get("result"),
                                               m.get("error")))

    async def ask(self, ctx: Context, requests: dict[str, InputRequest]) -> dict[str, Any]:
        """Send each request on the caller's SSE stream and wait for the POSTed answers."""
        loop = asyncio.get_running_loop()
        session_id = ctx.session.id
        waiting = {key: (f"mcp-{secrets.token_hex(8)}", request, loop.create_future())
                   for key, request in requests.items()}
        try:
            for request_id, request, future in waiting.values():
                self.pending[(session_id, request_id)] = future
                await ctx.emit(request_message(request_id, request.method, request.params))
            async with asyncio.timeout(self.input_timeout):
                return {key: check_response(request, await future)
                        for key, (_id, request, future) in waiting.items()}
        except TimeoutError:
            for request_id, _request, future in waiting.values():
                if future.cancelled() or not future.done():  # the timeout cancels the awaited one
                    await ctx.emit(notification_message("notifications/cancelled", {
                        "requestId": request_id, "reason": "The server stopped waiting"}))
            raise InternalError("Timed out waiting for the client's answer") from None
        finally:
            for request_id, _request, _future in waiting.values():
                self.pending.pop((session_id, request_id), None)

    async def deliver(self, session_id: str, message: JsonRpcResponse) -> None:
        """Complete the matching request here or on the worker that sent it (L-47, L-48)."""
        if not self.settle(session_id, message.id, message.result, message.error):
            await self.bus.broadcast("answer", session=session_id, id=message.id,
                                     result=message.result, error=message.error)

    def settle(self, session_id: str, request_id: Any, result: Any,
               error: dict[str, Any] | None) -> bool:
        """Resolve a local pending request; False when it is not here (late answers included)."""
        future = self.pending.get((session_id, request_id)) if is_request_id(request_id) \
            else None
        if future is None:
            return False
        if future.done():
            return True
        if error is not None:
            detail = error.get("message", "error") if isinstance(error, dict) else "error"
            future.set_exception(InternalError(f"The client answered with an error: {detail}"))
        else:
            future.set_result(result)
        return True
