"""McpServer: the public façade of one MCP endpoint: registry, settings, decorators, mounting."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured

from .conf import ServerSettings, validate
from .core.methods.table import MethodSpec
from .core.options import ServerOptions
from .registry import Registry, default_registry
from .runtime import Runtime, build_runtime, run_sync
from .transport.asgi import McpAsgiHandler
from .transport.endpoint import Endpoint
from .transport.view import make_view


@dataclass(frozen=True)
class _Built:
    settings: ServerSettings
    runtime: Runtime
    endpoint: Endpoint


def server_options(settings: ServerSettings) -> ServerOptions:
    from . import __version__

    return ServerOptions(
        name=settings["SERVER_NAME"], version=settings["SERVER_VERSION"] or __version__,
        title=settings["SERVER_TITLE"], instructions=settings["INSTRUCTIONS"],
        page_size=settings["PAGE_SIZE"], list_ttl_ms=settings["LIST_TTL_MS"],
        expose_error_details=settings["EXPOSE_ERROR_DETAILS"],
        max_uri_length=settings["MAX_URI_LENGTH"])


NAME = re.compile(r"[A-Za-z0-9_.-]{1,79}")  # it becomes part of Channels group names
servers: dict[str, McpServer] = {}


class McpServer:
    """A named MCP server. Settings come from `MCP_DJANGO`; keyword overrides win.

    `internal = McpServer("internal", json_response=True)`, then `@internal.tool` and
    `path("internal/mcp", internal.view)` in a URLconf. Unknown or mistyped overrides and
    names that cannot be part of a channel-group name raise `ImproperlyConfigured`.
    """

    def __init__(self, name: str, *, registry: Registry | None = None, **overrides: Any) -> None:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ImproperlyConfigured(
                f"McpServer name {name!r}: use 1-79 ASCII letters, digits, '-', '_' or '.'")
        if name in servers:
            raise ValueError(f"An MCP server named {name!r} already exists")
        self.name = name
        self.overrides = validate({key.upper(): value for key, value in overrides.items()},
                                  f"McpServer({name!r})")
        self.registry = registry if registry is not None else Registry()
        self.tool = self.registry.tool
        self.resource = self.registry.resource
        self.prompt = self.registry.prompt
        self.completion = self.registry.completion
        self.registry.listeners.append(self._registry_changed)
        self.methods: list[MethodSpec] = []
        self._built: _Built | None = None
        servers[name] = self

    def add_method(self, spec: MethodSpec) -> None:
        """Serve one more JSON-RPC method (see docs/architecture.md, "Adding a method")."""
        self.methods.append(spec)
        self.reset()

    # -- built together on first use; `reset()` forgets them so changed settings apply ---------
    def _build(self) -> _Built:
        if self._built is None:
            settings = ServerSettings(self.name, self.overrides)
            runtime = build_runtime(self.name, self.registry, settings,
                                    server_options(settings), methods=self.methods, facade=self)
            self._built = _Built(settings, runtime, Endpoint(runtime))
        return self._built

    @property
    def settings(self) -> ServerSettings:
        return self._build().settings

    @property
    def runtime(self) -> Runtime:
        return self._build().runtime

    @property
    def endpoint(self) -> Endpoint:
        return self._build().endpoint

    def reset(self) -> None:
        """Forget the built runtime (tests, `setting_changed`); the next request builds anew."""
        self._built = None

    def setting(self, key: str) -> Any:
        return self.settings[key]

    def server_options(self) -> ServerOptions:
        return server_options(self.settings)

    @property
    def dispatcher(self) -> Any:
        return self.runtime.dispatcher

    # -- sessions ---------------------------------------------------------------------------------
    async def terminate_session(self, session_id: str, by: str) -> None:
        """End a session everywhere: cache record, admin index, and its open streams."""
        await self.runtime.terminate_session(session_id, by)

    def terminate_session_sync(self, session_id: str, by: str) -> None:
        """`terminate_session` from sync code (the admin)."""
        async_to_sync(self.runtime.terminate_session)(session_id, by)

    # -- change notifications (L-55, L-56, S-49, S-50) ------------------------------------------
    async def apublish_change(self, kind: str, uri: str | None = None) -> None:
        """Tell every open GET and listen stream of this server, on any worker."""
        await self.runtime.groups.publish_change(kind, uri)

    def publish_change(self, kind: str, uri: str | None = None) -> None:
        """`apublish_change` from sync code or, fire-and-forget, from inside an event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(self.apublish_change)(kind, uri)
            return
        self.runtime.supervisor.spawn(self.apublish_change(kind, uri), "change")

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
        if self._built is not None:  # only once serving: start-up registration is silent
            self.publish_change(kind)

    # -- mounting --------------------------------------------------------------------------------
    def _current_endpoint(self) -> Endpoint:
        return self.endpoint

    @functools.cached_property
    def asgi(self) -> McpAsgiHandler:
        """This server as a bare ASGI app (what `mcp_django.asgi` routes MCP paths to)."""
        return McpAsgiHandler(self._current_endpoint)

    @functools.cached_property
    def view(self) -> Callable[..., Any]:
        """This server as an async Django view."""
        return make_view(self._current_endpoint, self)

    def urls(self, route: str = "mcp") -> list[Any]:
        from django.urls import path

        return [path(route, self.view, name=f"mcp-{self.name}")]

    run_sync = staticmethod(run_sync)


default_server = McpServer("default", registry=default_registry)


def get_server(name: str) -> McpServer:
    return servers[name]
