"""The per-request context handed to methods and to tool, resource and prompt functions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import InternalError, MissingCapability
from .inputs import InputRequest, InputRequired, check_response, elicitation, roots, sampling
from .jsonrpc import RequestId, notification_message
from .versions import Era, supports

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
_LEVEL_RANK = {name: rank for rank, name in enumerate(LOG_LEVELS)}

Emit = Callable[[dict[str, Any]], Awaitable[None]]
RunSync = Callable[..., Awaitable[Any]]
Asker = Callable[["Context", dict[str, InputRequest]], Awaitable[dict[str, Any]]]

logger = logging.getLogger(__name__)


async def _run_inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


async def _drop(message: dict[str, Any]) -> None:
    return None


def level_enabled(level: str, threshold: str | None) -> bool:
    """True when a message at `level` passes a client's `threshold` (None = logging off)."""
    return threshold is not None and _LEVEL_RANK[level] >= _LEVEL_RANK[threshold]


@dataclass(eq=False)
class Context:
    """What a handler knows about the request it serves, and how it talks back.

    Declare a parameter annotated `Context` on a tool to receive it::

        @tool
        async def slow(n: int, ctx: Context) -> str:
            await ctx.report_progress(1, n, "started")
            return "done"
    """

    request_id: RequestId | None
    method: str
    era: Era
    protocol_version: str
    params: dict[str, Any] = field(default_factory=dict)
    client_capabilities: dict[str, Any] = field(default_factory=dict)
    client_info: dict[str, Any] | None = None
    log_level: str | None = None
    principal: Any = None
    principal_key: str = "anonymous"
    session: Any = None
    emit: Emit = _drop
    run_sync: RunSync = _run_inline
    server: Any = None
    input_responses: dict[str, Any] = field(default_factory=dict)
    answered: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    asker: Asker | None = None
    task: Any = None
    close_stream: Callable[[], None] | None = None
    _last_progress: float | None = None
    _input_counts: dict[str, int] = field(default_factory=dict)

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.params.get("_meta")
        return meta if isinstance(meta, dict) else {}

    @property
    def progress_token(self) -> str | int | None:
        token = self.meta.get("progressToken")
        return token if isinstance(token, (str, int)) and not isinstance(token, bool) else None

    @property
    def user(self) -> Any:
        """The authenticated principal (a Django user in the Django layers), or None."""
        return self.principal

    @property
    def session_id(self) -> str | None:
        return getattr(self.session, "id", None)

    async def report_progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        """Send `notifications/progress` if the client asked for it; values must increase."""
        token = self.progress_token
        if token is None or (self._last_progress is not None and progress <= self._last_progress):
            return
        self._last_progress = progress
        params: dict[str, Any] = {"progressToken": token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None and supports(self.protocol_version, "progress_message"):
            params["message"] = message
        await self.emit(notification_message("notifications/progress", params))

    async def log(self, level: str, data: Any, logger_name: str | None = None) -> None:
        """Send `notifications/message` at `level` when the client's threshold lets it through."""
        if level not in _LEVEL_RANK:
            raise ValueError(f"unknown log level {level!r}")
        if not level_enabled(level, self.log_level):
            return
        params: dict[str, Any] = {"level": level, "data": data}
        if logger_name:
            params["logger"] = logger_name
        await self.emit(notification_message("notifications/message", params))

    async def debug(self, data: Any) -> None:
        await self.log("debug", data)

    async def info(self, data: Any) -> None:
        await self.log("info", data)

    async def warning(self, data: Any) -> None:
        await self.log("warning", data)

    async def error(self, data: Any) -> None:
        await self.log("error", data)

    # -- asking the client ----------------------------------------------------------------------
    async def ask(self, requests: dict[str, InputRequest]) -> dict[str, Any]:
        """Ask the client for several inputs at once; returns `{key: answer}`.

        2025 sessions: the requests go out on this request's SSE stream and the client's POSTed
        answers come back here. 2026-07-28: answers come from the retry's `inputResponses`;
        missing ones end this round with an `input_required` result (the handler runs again on
        the retry, so keys must be stable). Keep state across rounds in `ctx.state` (it travels
        in the signed `requestState`).
        """
        for request in requests.values():
            if request.capability not in self.client_capabilities:
                raise MissingCapability({request.capability: {}},
                                        f"The client did not declare {request.capability!r}")
        if self.task is not None:  # a running task parks in input_required
            return dict(await self.task.ask(requests))
        if self.era is Era.MODERN:
            return self._answers_or_raise(requests)
        if self.asker is None:
            raise InternalError("This connection cannot carry requests to the client "
                                "(JSON responses or no session)")
        return await self.asker(self, requests)

    def _answers_or_raise(self, requests: dict[str, InputRequest]) -> dict[str, Any]:
        answered, missing = {}, {}
        for key, request in requests.items():
            if key in self.input_responses:
                answered[key] = check_response(request, self.input_responses[key])
                self.answered[key] = answered[key]
            else:
                missing[key] = request
        if missing:
            raise InputRequired(missing)
        return answered

    def _key(self, kind: str, key: str | None) -> str:
        if key is not None:
            return key
        count = self._input_counts[kind] = self._input_counts.get(kind, 0) + 1
        return kind if count == 1 else f"{kind}_{count}"

    async def elicit(self, message: str, schema: dict[str, Any], *, key: str | None = None
                     ) -> dict[str, Any]:
        """Ask the user through a form; returns `{"action": ..., "content": {...}}`."""
        key = self._key("elicitation", key)
        return (await self.ask({key: elicitation(message, schema)}))[key]

    async def sample(self, messages: list[dict[str, Any]] | str, max_tokens: int = 1000, *,
                     key: str | None = None, **params: Any) -> dict[str, Any]:
        """Ask the client's model; returns the `CreateMessageResult`."""
        key = self._key("sampling", key)
        return (await self.ask({key: sampling(messages, max_tokens, **params)}))[key]

    async def list_roots(self, *, key: str | None = None) -> list[dict[str, Any]]:
        """The client's roots: `[{"uri": "file:///...", "name": ...}]`."""
        key = self._key("roots", key)
        return list((await self.ask({key: roots()}))[key]["roots"])

    def close_sse_stream(self) -> None:
        """End this request's SSE stream now; the client resumes it with `Last-Event-ID`.

        Only 2025-11-25 sessions have resumable streams (SEP-1699); elsewhere this does nothing.
        The handler keeps running and its later messages wait in the stream's event log.
        """
        if self.close_stream is not None:
            self.close_stream()


__all__ = ["Context", "InputRequired", "level_enabled"]
