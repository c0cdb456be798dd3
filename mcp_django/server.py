"""McpServer: one MCP endpoint in a Django project: registry, options, sessions and transport."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.utils.module_loading import import_string

from .conf import mcp_settings
from .core.dispatcher import Dispatcher
from .core.options import ServerOptions
from .core.versions import Era
from .registry import Registry, default_registry
from .routing.bus import WorkerBus
from .sessions.cache import CacheSessionStore
from .sessions.events import EventLog
from .sessions.index import SessionIndex, mark_terminated
from .state import SignedStateCodec
from .transport.endpoint import Endpoint, EndpointConfig
from .transport.http import IncomingRequest, OriginPolicy

DEBUG_HOSTS = (".localhost", "127.0.0.1", "[::1]")
_fallback_layer = InMemoryChannelLayer()
servers: dict[str, McpServer] = {}


class McpServer:
    """A named MCP server. Settings come from `MCP_DJANGO`; keyword overrides win.

    `internal = McpServer("internal", json_response=True)`, then `@internal.tool` and
    `path("internal/mcp", internal.view)` in a URLconf.
    """

    def __init__(self, name: str, *, registry: Registry | None = None, **overrides: Any) -> None:
        if name in servers:
            raise ValueError(f"An MCP server named {name!r} already exists")
        self.name = name
        self.registry = registry if registry is not None else Registry()
        self.overrides = {key.upper(): value for key, value in overrides.items()}
        self.tool = self.registry.tool
        self.resource = self.registry.resource
        self.prompt = self.registry.prompt
        self.completion = self.registry.completion
        self._background: set[asyncio.Task[Any]] = set()
        self.registry.listeners.append(self._registry_changed)
        servers[name] = self

    def setting(self, key: str) -> Any:
        return self.overrides[key] if key in self.overrides else getattr(mcp_settings, key)

    def reset(self) -> None:
        """Forget built state so changed settings apply (tests, `setting_changed`)."""
        for attribute in ("dispatcher", "endpoint", "session_store", "index", "origin_policy",
                          "event_log", "bus", "authenticators"):
            self.__dict__.pop(attribute, None)

    # -- built on first use ---------------------------------------------------------------------
    @functools.cached_property
    def dispatcher(self) -> Dispatcher:
        dispatcher = Dispatcher(self.registry, self.server_options())
        dispatcher.state_codec = SignedStateCodec(self.name, self.setting("REQUEST_STATE_TTL"))
        dispatcher.visibility = _visible
        if self.setting("TASKS"):
            from .tasks.methods import LEGACY_TASK_METHODS, MODERN_TASK_METHODS
            from .tasks.runner import TaskRunner

            dispatcher.tasks = TaskRunner(self)
            dispatcher.methods[Era.MODERN].update(MODERN_TASK_METHODS)
            dispatcher.methods[Era.LEGACY].update(LEGACY_TASK_METHODS)
        return dispatcher

    def server_options(self) -> ServerOptions:
        from . import __version__

        return ServerOptions(
            name=self.setting("SERVER_NAME"), version=self.setting("SERVER_VERSION") or __version__,
            title=self.setting("SERVER_TITLE"), instructions=self.setting("INSTRUCTIONS"),
            page_size=self.setting("PAGE_SIZE"), list_ttl_ms=self.setting("LIST_TTL_MS"),
            expose_error_details=self.setting("EXPOSE_ERROR_DETAILS"))

    @functools.cached_property
    def endpoint(self) -> Endpoint:
        config = EndpointConfig(
            json_response=self.setting("JSON_RESPONSE"),
            stateless_legacy=self.setting("STATELESS_LEGACY"),
            keepalive=float(self.setting("SSE_KEEPALIVE_SECONDS")),
            retry_ms=int(self.setting("SSE_RETRY_MS")),
            request_timeout=float(self.setting("REQUEST_TIMEOUT")),
            stream_max=float(self.setting("STREAM_MAX_SECONDS")),
            max_body=int(self.setting("MAX_BODY_BYTES")),
            input_timeout=float(self.setting("INPUT_TIMEOUT")))
        return Endpoint(self, config)

    @functools.cached_property
    def session_store(self) -> CacheSessionStore:
        return CacheSessionStore(self.setting("SESSION_CACHE_ALIAS"), self.setting("SESSION_TTL"))

    @functools.cached_property
    def bus(self) -> WorkerBus:
        return WorkerBus(self.layer(), f"mcp_django.workers.{self.name}", self.session_store.call)

    @functools.cached_property
    def event_log(self) -> EventLog:
        return EventLog(self.setting("SESSION_CACHE_ALIAS"), self.setting("SESSION_TTL"))

    @functools.cached_property
    def index(self) -> SessionIndex:
        return SessionIndex(self.setting("SESSION_INDEX_THROTTLE"))

    @functools.cached_property
    def origin_policy(self) -> OriginPolicy:
        hosts = tuple(settings.ALLOWED_HOSTS) or (DEBUG_HOSTS if settings.DEBUG else ())
        return OriginPolicy(hosts, frozenset(self.setting("ALLOWED_ORIGINS")))

    # -- services the transport calls -------------------------------------------------------------
    @functools.cached_property
    def authenticators(self) -> list[Any]:
        authenticators = [import_string(path)() for path in self.setting("AUTHENTICATION_CLASSES")]
        for authenticator in authenticators:
            authenticator.server = self
        return authenticators

    async def resolve_principal(self, request: IncomingRequest) -> Any:
        """The caller (a Django user) from the first class that recognises the request; without
        one, None when ALLOW_ANONYMOUS, else 401 pointing at the resource metadata (A-4)."""
        for authenticator in self.authenticators:
            principal = await authenticator.authenticate(request)
            if principal is not None:
                return principal
        from .integrations.auth import Unauthorized, metadata_url

        if "authorization" in request.headers:  # a credential nobody accepts is never anonymous
            raise Unauthorized(metadata_url(request), "invalid_token")
        if self.setting("ALLOW_ANONYMOUS"):
            return None
        raise Unauthorized(metadata_url(request))

    @staticmethod
    def principal_key(principal: Any) -> str:
        pk = getattr(principal, "pk", None)
        return f"user:{pk}" if pk is not None else "anonymous"

    @staticmethod
    async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run sync code (tools, ORM) in the thread pool, with Django's connection hygiene."""
        return await database_sync_to_async(func, thread_sensitive=False)(*args, **kwargs)

    @staticmethod
    def layer() -> Any:
        return get_channel_layer() or _fallback_layer

    def session_group(self, session_id: str) -> str:
        return f"mcp_django.session.{session_id}"

    async def terminate_session(self, session_id: str, by: str) -> None:
        """End a session everywhere: cache record, admin index, and its open streams."""
        await self.session_store.delete(session_id)
        await database_sync_to_async(mark_terminated, thread_sensitive=False)(session_id, by)
        await self.layer().group_send(self.session_group(session_id),
                                      {"type": "session.terminate"})

    # -- change notifications (L-55, L-56, S-49, S-50) ------------------------------------------
    def changes_group(self) -> str:
        return f"mcp_django.changes.{self.name}"

    async def apublish_change(self, kind: str, uri: str | None = None) -> None:
        """Tell every open GET and listen stream of this server, on any worker."""
        await self.layer().group_send(self.changes_group(),
                                      {"type": "mcp.change", "kind": kind, "uri": uri})

    def publish_change(self, kind: str, uri: str | None = None) -> None:
        """`apublish_change` from sync code or, fire-and-forget, from inside an event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(self.apublish_change)(kind, uri)
            return
        task = loop.create_task(self.apublish_change(kind, uri))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def notify_tools_changed(self) -> None:
        """Send `notifications/tools/list_changed` (e.g. from a `post_save` signal)."""
        self.publish_change("tools")

    def notify_prompts_changed(self) -> None:
        self.publish_change("prompts")

    def notify_resources_changed(self) -> None:
        self.publish_change("resources")

    def notify_resource_updated(self, uri: str) -> None:
        """Send `notifications/resources/updated` to sessions and listeners subscribed to `uri`."""
        self.publish_change("resource", uri)

    def _registry_changed(self, kind: str) -> None:
        if "endpoint" in self.__dict__:  # only once serving: start-up registration is silent
            self.publish_change(kind)

    def terminate_session_sync(self, session_id: str, by: str) -> None:
        self.session_store.delete_sync(session_id)
        mark_terminated(session_id, by)
        async_to_sync(self.layer().group_send)(self.session_group(session_id),
                                               {"type": "session.terminate"})

    # -- mounting --------------------------------------------------------------------------------
    @functools.cached_property
    def asgi(self) -> Any:
        from .transport.asgi import McpAsgiHandler

        return McpAsgiHandler(self)

    @functools.cached_property
    def view(self) -> Any:
        from .transport.view import make_view

        return make_view(self)

    def urls(self, route: str = "mcp") -> list[Any]:
        from django.urls import path

        return [path(route, self.view, name=f"mcp-{self.name}")]


def _visible(ctx: Any, spec: Any) -> bool:
    from .integrations.permissions import allowed

    return allowed(ctx.principal, getattr(spec, "permissions", None))


default_server = McpServer("default", registry=default_registry)


def get_server(name: str) -> McpServer:
    return servers[name]
