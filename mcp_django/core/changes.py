"""Change events (lists changed, a resource updated) → the notifications each stream may get."""

from __future__ import annotations

from typing import Any

from .jsonrpc import notification_message
from .versions import META_SUBSCRIPTION_ID

LIST_CHANGED = {
    "tools": "notifications/tools/list_changed",
    "prompts": "notifications/prompts/list_changed",
    "resources": "notifications/resources/list_changed",
}
FILTER_KEYS = {"tools": "toolsListChanged", "prompts": "promptsListChanged",
               "resources": "resourcesListChanged"}
UPDATED = "notifications/resources/updated"


def honoured_filter(requested: dict[str, Any], capabilities: dict[str, Any]) -> dict[str, Any]:
    """The part of a `subscriptions/listen` filter this server supports (S-46)."""
    honoured: dict[str, Any] = {}
    for kind, key in FILTER_KEYS.items():
        if requested.get(key) is True and capabilities.get(kind, {}).get("listChanged"):
            honoured[key] = True
    uris = requested.get("resourceSubscriptions")
    if isinstance(uris, list) and capabilities.get("resources", {}).get("subscribe"):
        honoured["resourceSubscriptions"] = [uri for uri in uris if isinstance(uri, str)]
    return honoured


def listen_notification(event: dict[str, Any], honoured: dict[str, Any], subscription_id: Any
                        ) -> dict[str, Any] | None:
    """The notification a listen stream sends for a change event, tagged (S-47, S-48)."""
    kind = event.get("kind")
    if kind in LIST_CHANGED and honoured.get(FILTER_KEYS[kind]):
        params: dict[str, Any] = {}
        method = LIST_CHANGED[kind]
    elif kind == "resource" and event.get("uri") in honoured.get("resourceSubscriptions", []):
        params, method = {"uri": event["uri"]}, UPDATED
    else:
        return None
    params["_meta"] = {META_SUBSCRIPTION_ID: subscription_id}
    return notification_message(method, params)


def session_notification(event: dict[str, Any], subscriptions: list[str]
                         ) -> dict[str, Any] | None:
    """The notification a 2025 session's GET stream sends for a change event (L-55, L-56)."""
    kind = event.get("kind")
    if kind in LIST_CHANGED:
        return notification_message(LIST_CHANGED[kind], {})
    if kind == "resource" and event.get("uri") in subscriptions:
        return notification_message(UPDATED, {"uri": event["uri"]})
    return None
