"""Servers with the two documented switches on, sharing the conformance fixtures."""

from demo_project.conformance import conformance
from mcp_django.registry import default_registry
from mcp_django.server import McpServer

stateless = McpServer("stateless", registry=conformance.registry, STATELESS_LEGACY=True)
json_only = McpServer("json", registry=conformance.registry, JSON_RESPONSE=True)
secure = McpServer("secure", registry=default_registry, ALLOW_ANONYMOUS=False,
                   SERVER_TITLE="Library (tokens required)")
oauth = McpServer("oauth", registry=default_registry, ALLOW_ANONYMOUS=False,
                  AUTHENTICATION_CLASSES=["mcp_django.integrations.auth.OAuth2Authentication"],
                  AUTHORIZATION_SERVERS=["https://auth.example"], SCOPES_SUPPORTED=["mcp"])
leased = McpServer("leased", registry=conformance.registry, TASK_LEASE_SECONDS=1.0)
short = McpServer("short", registry=conformance.registry, REQUEST_TIMEOUT=1.0,
                  STREAM_MAX_SECONDS=2.0, SSE_KEEPALIVE_SECONDS=0.5, SESSION_TTL=1,
                  INPUT_TIMEOUT=0.5, REQUEST_STATE_TTL=1)


# -- test-only tools on the conformance registry (the test project serves them; the demo does not)
import asyncio  # noqa: E402

from mcp_django import Context  # noqa: E402
from mcp_django.integrations.commands import CommandToolset  # noqa: E402

SLOW_STATES: dict[str, str] = {}


@conformance.tool
async def test_slow(seconds: float, ctx: Context, token: str = "") -> str:
    """Sleeps, streaming progress; records whether it finished or was cancelled."""
    SLOW_STATES[token] = "running"
    try:
        await ctx.report_progress(0, seconds, "sleeping")
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        SLOW_STATES[token] = "cancelled"
        raise
    SLOW_STATES[token] = "finished"
    return "slept"


@conformance.tool
def test_slow_status(token: str) -> str:
    """What happened to the `test_slow` call with this token."""
    return SLOW_STATES.get(token, "unknown")


@conformance.tool(task="optional")
async def test_wait_for_approval(ctx: Context, token: str = "", work: float = 0.0) -> str:
    """Works for `work` seconds, then waits for an approval; records how it ended."""
    SLOW_STATES[token] = "running"
    try:
        await asyncio.sleep(work)
        answer = await ctx.elicit("Approve?", {"type": "object", "properties": {
            "approve": {"type": "boolean"}}, "required": ["approve"]}, key="approval")
    except asyncio.CancelledError:
        SLOW_STATES[token] = "cancelled"
        raise
    SLOW_STATES[token] = "finished"
    return f"approval: {answer.get('action')}"


class QuickCommands(CommandToolset):
    """The demo's report command with a two-second limit, open to anyone (tests only). The
    child process needs up to a second to start Django on a loaded machine."""

    commands = ["library_report"]
    prefix = "quick_"
    timeout = 2.0
    permissions = None


QuickCommands.register(conformance.registry)


class PatientCommands(QuickCommands):
    """The same command with a long limit, to show that cancellation (not a timeout) stops it."""

    prefix = "patient_"
    timeout = 60.0


PatientCommands.register(conformance.registry)


# -- servers for the edge-error and throttling tests (tests/e2e/test_edge_errors.py,
# tests/multiworker/test_throttle.py)
from typing import Any  # noqa: E402


class RaisingAuthentication:
    """An authentication class with a bug: every request makes it raise."""

    async def authenticate(self, request: Any) -> Any:
        raise RuntimeError("RaisingAuthentication fails on purpose")


class RaisingThrottle:
    """A throttle class with a bug: every request makes it raise."""

    async def allow(self, request: Any, principal: Any) -> float | None:
        raise RuntimeError("RaisingThrottle fails on purpose")


raising_auth = McpServer("raising_auth", registry=conformance.registry,
                         AUTHENTICATION_CLASSES=["tests.project.variants.RaisingAuthentication"])
raising_throttle = McpServer("raising_throttle", registry=conformance.registry,
                             THROTTLE_CLASSES=["tests.project.variants.RaisingThrottle"])
throttled = McpServer("throttled", registry=conformance.registry, ALLOW_ANONYMOUS=True,
                      THROTTLE_CLASSES=["mcp_django.policy.RateThrottle"],
                      THROTTLE_RATE="5/minute")
throttled_auth = McpServer("throttled_auth", registry=conformance.registry,
                           ALLOW_ANONYMOUS=False,
                           THROTTLE_CLASSES=["mcp_django.policy.RateThrottle"],
                           THROTTLE_RATE="5/minute")


# -- servers for the limits tests (tests/e2e/test_limits.py, tests/transport/test_asgi_body.py)
@conformance.tool
async def test_flood(ctx: Context, token: str = "", count: int = 1000, size: int = 1000) -> str:
    """Logs `count` messages of `size` bytes as fast as it can; records how it ended."""
    SLOW_STATES[token] = "running"
    try:
        for n in range(count):
            await ctx.log("info", "x" * size)
            if n % 100 == 0:
                await asyncio.sleep(0)
    except asyncio.CancelledError:
        SLOW_STATES[token] = "cancelled"
        raise
    SLOW_STATES[token] = "finished"
    return "flooded"


tight = McpServer("tight", registry=conformance.registry, MAX_BATCH=5, REQUEST_TIMEOUT=1.0,
                  MAX_BATCH_RESPONSE_BYTES=2000, STREAM_BUFFER_BYTES=64 * 1024,
                  BODY_TIMEOUT=1.0, SSE_KEEPALIVE_SECONDS=0.5)


# -- servers for the session-limit and credential-recheck tests (tests/e2e/test_session_limits.py,
# tests/e2e/test_auth.py, tests/sessions/)
limited = McpServer("limited", registry=conformance.registry, MAX_SESSIONS=3, MAX_SUBSCRIPTIONS=2,
                    MAX_URI_LENGTH=64, MAX_CLIENT_INFO_BYTES=512, SSE_KEEPALIVE_SECONDS=0.2)
rechecked = McpServer("rechecked", registry=conformance.registry, ALLOW_ANONYMOUS=False,
                      PRINCIPAL_RECHECK_SECONDS=0.5, SSE_KEEPALIVE_SECONDS=0.5)


# -- a server for the command-limit tests (tests/e2e/test_command_limits.py)
one_command = McpServer("one_command", registry=conformance.registry, COMMAND_CONCURRENCY=1,
                        COMMAND_QUEUE=1)
