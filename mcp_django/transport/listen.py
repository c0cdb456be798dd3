"""`subscriptions/listen` (2026-07-28): a long-lived SSE stream of change notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..core.changes import honoured_filter, listen_notification
from ..core.context import Context
from ..core.errors import InvalidParams
from ..core.jsonrpc import JsonRpcRequest, notification_message, result_message
from ..core.versions import META_SERVER_INFO, META_SUBSCRIPTION_ID, Era
from .responses import Outgoing, sse_response
from .sse import KEEPALIVE, encode_event

if TYPE_CHECKING:
    from .endpoint import Endpoint

ACKNOWLEDGED = "notifications/subscriptions/acknowledged"


def open_listen_stream(endpoint: Endpoint, message: JsonRpcRequest, ctx: Context) -> Outgoing:
    """Validate the filter, then stream: the acknowledgement first, then tagged changes (S-44…)."""
    requested = message.params.get("notifications")
    if not isinstance(requested, dict):
        raise InvalidParams("params.notifications must be an object")
    capabilities = endpoint.dispatcher.capabilities(Era.MODERN, ctx.protocol_version)
    honoured = honoured_filter(requested, capabilities)
    return sse_response(_events(endpoint, message.id, honoured))


async def _events(endpoint: Endpoint, subscription_id: Any, honoured: dict[str, Any]
                  ) -> AsyncIterator[bytes]:
    server, config = endpoint.server, endpoint.config
    layer = server.layer()
    channel = await layer.new_channel()
    await layer.group_add(server.changes_group(), channel)
    try:
        yield encode_event(notification_message(ACKNOWLEDGED, {
            "notifications": honoured, "_meta": {META_SUBSCRIPTION_ID: subscription_id}}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + config.stream_max
        while (remaining := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(min(config.keepalive, remaining)):
                    event = await layer.receive(channel)
            except TimeoutError:
                yield KEEPALIVE
                continue
            notification = listen_notification(event, honoured, subscription_id)
            if notification is not None:
                yield encode_event(notification)
        yield encode_event(result_message(subscription_id, {  # server-side end (S-53)
            "resultType": "complete",
            "_meta": {META_SUBSCRIPTION_ID: subscription_id,
                      META_SERVER_INFO: endpoint.dispatcher.options.server_info()}}))
    finally:
        await layer.group_discard(server.changes_group(), channel)
