"""Runtime: the parts one server runs on, built once from its settings, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings as django_settings
from django.core.cache import caches

from .conf import ServerSettings
from .core.dispatcher import Dispatcher
from .core.methods.standard import standard_table
from .core.methods.table import MethodSpec
from .core.options import ServerOptions
from .integrations.permissions import allowed
from .policy import Policy, build, principal_key
from .registry import Registry
from .routing.bus import ChannelLayer, WorkerBus
from .routing.groups import Groups
from .sessions.base import SessionStore
from .sessions.cachecall import make_cache_caller
from .sessions.events import EventLog
from .sessions.index import SessionIndex, mark_terminated
from .state import SignedStateCodec
from .supervisor import Supervisor
from .tasks.methods import task_methods
from .tasks.runner import TaskOptions, TaskRunner
from .transport.http import OriginPolicy
from .transport.inflight import Inflight

DEBUG_HOSTS = (".localhost", "127.0.0.1", "[::1]")
_fallback_layer = InMemoryChannelLayer()


@dataclass(frozen=True)
class TransportConfig:
    json_response: bool
    stateless_legacy: bool
    keepalive: float
    retry_ms: int
    request_timeout: float
    stream_max: float
    max_body: int
    input_timeout: float = 300.0
    body_timeout: float = 30.0
    stream_buffer: int = 1024 * 1024
    max_batch: int = 50
    max_batch_response: int = 8 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> TransportConfig:
        return cls(json_response=settings["JSON_RESPONSE"],
                   stateless_legacy=settings["STATELESS_LEGACY"],
                   keepalive=float(settings["SSE_KEEPALIVE_SECONDS"]),
                   retry_ms=int(settings["SSE_RETRY_MS"]),
                   request_timeout=float(settings["REQUEST_TIMEOUT"]),
                   stream_max=float(settings["STREAM_MAX_SECONDS"]),
                   max_body=int(settings["MAX_BODY_BYTES"]),
                   input_timeout=float(settings["INPUT_TIMEOUT"]),
                   body_timeout=float(settings["BODY_TIMEOUT"]),
                   stream_buffer=int(settings["STREAM_BUFFER_BYTES"]),
                   max_batch=int(settings["MAX_BATCH"]),
                   max_batch_response=int(settings["MAX_BATCH_RESPONSE_BYTES"]))


async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run sync code (tools, ORM) in the thread pool, with Django's connection hygiene."""
    return await database_sync_to_async(func, thread_sensitive=False)(*args, **kwargs)


def channel_layer() -> ChannelLayer:
    layer: ChannelLayer = get_channel_layer() or _fallback_layer
    return layer


@dataclass(frozen=True)
class Runtime:
    """What transport, tasks and integrations depend on (never the `McpServer` façade).

    `facade` is handed to tools as `ctx.server` (public API) and nothing else reads it.
    """

    name: str
    settings: ServerSettings
    config: TransportConfig
    supervisor: Supervisor
    groups: Groups
    bus: WorkerBus
    sessions: SessionStore
    event_log: EventLog
    index: SessionIndex
    policy: Policy
    origin_policy: OriginPolicy
    dispatcher: Dispatcher
    tasks: TaskRunner | None
    inflight: Inflight
    facade: Any = None

    run_sync = staticmethod(run_sync)
    principal_key = staticmethod(principal_key)

    async def terminate_session(self, session_id: str, by: str) -> None:
        """End a session everywhere: cache record, admin index, its open streams and its
        running requests (on every worker)."""
        await self.sessions.delete(session_id)
        await run_sync(mark_terminated, session_id, by)
        await self.groups.terminate(session_id)
        await self.inflight.cancel_session(session_id)


def build_runtime(name: str, registry: Registry, settings: ServerSettings,
                  server_options: ServerOptions, methods: Sequence[MethodSpec] = (),
                  facade: Any = None) -> Runtime:
    """Build in dependency order: supervisor → layer users → stores → policy → tasks →
    dispatcher (the tasks' methods go into its table, then the runner is bound to it)."""
    supervisor = Supervisor(name)
    deployment = settings["DEPLOYMENT_KEY"]
    groups = Groups(name, channel_layer, deployment)
    liveness = make_cache_caller(caches[settings["SESSION_CACHE_ALIAS"]], deployment)
    bus = WorkerBus(channel_layer, groups.workers, liveness, supervisor, groups.channel_prefix)
    table = standard_table()
    for spec in methods:
        table.add(spec)
    tasks = None
    if settings["TASKS"]:
        tasks = TaskRunner(name, TaskOptions.from_settings(settings), bus, groups, supervisor)
        for spec in task_methods(tasks):
            table.add(spec)
    dispatcher = Dispatcher(registry, server_options, methods=table, tasks=tasks,
                            visibility=_visible,
                            state_codec=SignedStateCodec(name, settings["REQUEST_STATE_TTL"]))
    if tasks is not None:
        tasks.bind(dispatcher)
    [sessions] = build([settings["SESSION_STORE"]], settings, "SESSION_STORE")
    return Runtime(
        name=name, settings=settings, config=TransportConfig.from_settings(settings),
        supervisor=supervisor, groups=groups, bus=bus, sessions=sessions,
        event_log=EventLog(settings["SESSION_CACHE_ALIAS"], settings["SESSION_TTL"],
                           deployment),
        index=SessionIndex(settings["SESSION_INDEX_THROTTLE"], supervisor),
        policy=Policy(build(settings["AUTHENTICATION_CLASSES"], settings,
                            "AUTHENTICATION_CLASSES"),
                      build(settings["THROTTLE_CLASSES"], settings, "THROTTLE_CLASSES"),
                      settings["ALLOW_ANONYMOUS"]),
        origin_policy=origin_policy(settings), dispatcher=dispatcher, tasks=tasks,
        inflight=Inflight(bus), facade=facade)


def origin_policy(settings: ServerSettings) -> OriginPolicy:
    hosts = tuple(django_settings.ALLOWED_HOSTS) or (DEBUG_HOSTS if django_settings.DEBUG
                                                     else ())
    return OriginPolicy(hosts, frozenset(settings["ALLOWED_ORIGINS"]))


def _visible(ctx: Any, spec: Any) -> bool:
    return allowed(ctx.principal, getattr(spec, "permissions", None))
