"""`subscriptions/listen` (2026-07-28): a long-lived SSE stream of change notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..core.changes import listen_notification
from ..core.errors import InvalidRequest
from ..core.jsonrpc import error_message, notification_message, result_message
from ..core.methods.table import MethodSpec
from ..core.versions import META_SERVER_INFO, META_SUBSCRIPTION_ID
from .exchange import Exchange
from .responses import Outgoing, sse_response
from .sse import KEEPALIVE, encode_event
from .streams import CredentialCheck

if TYPE_CHECKING:
    from ..runtime import Runtime

ACKNOWLEDGED = "notifications/subscriptions/acknowledged"


async def open_listen_stream(runtime: Runtime, spec: MethodSpec, exchange: Exchange
                             ) -> Outgoing:
    """Validate the filter, then stream: the acknowledgement first, then tagged changes (S-44…)."""
    assert exchange.ctx is not None
    params = exchange.call.params
    spec.check(params)
    opened = await spec.handler(runtime.dispatcher, exchange.ctx, params)
    check = CredentialCheck(runtime, exchange.request, runtime.principal_key(exchange.principal))
    return sse_response(_events(runtime, exchange.request_id, opened["notifications"], check))


async def _events(runtime: Runtime, subscription_id: Any, honoured: dict[str, Any],
                  check: CredentialCheck) -> AsyncIterator[bytes]:
    config, groups = runtime.config, runtime.groups
    layer = groups.layer()
    channel = await groups.new_channel(layer)
    await layer.group_add(groups.changes, channel)
    try:
        yield encode_event(notification_message(ACKNOWLEDGED, {
            "notifications": honoured, "_meta": {META_SUBSCRIPTION_ID: subscription_id}}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + config.stream_max
        next_keepalive = loop.time() + config.keepalive
        while (remaining := deadline - loop.time()) > 0:
            if not await check.valid():
                yield encode_event(_credential_gone(subscription_id))
                return
            try:
                async with asyncio.timeout(min(next_keepalive - loop.time(), remaining,
                                               check.due_in())):
                    event = await layer.receive(channel)
            except TimeoutError:
                if loop.time() >= next_keepalive:
                    next_keepalive = loop.time() + config.keepalive
                    yield KEEPALIVE
                continue
            if not await check.valid():  # due before this delivery
                yield encode_event(_credential_gone(subscription_id))
                return
            notification = listen_notification(event, honoured, subscription_id)
            if notification is not None:
                yield encode_event(notification)
        yield encode_event(result_message(subscription_id, {  # server-side end (S-53)
            "resultType": "complete",
            "_meta": {META_SUBSCRIPTION_ID: subscription_id,
                      META_SERVER_INFO: runtime.dispatcher.options.server_info()}}))
    finally:
        await layer.group_discard(groups.changes, channel)


def _credential_gone(subscription_id: Any) -> dict[str, Any]:
    """The listen request's error once its credential stops authenticating (revoked,
    expired, password changed)."""
    return error_message(subscription_id, InvalidRequest(
        "Unauthorized: the credential that opened this stream no longer authenticates"))
