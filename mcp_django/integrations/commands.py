"""CommandToolset: allowlisted management commands as tools, run in a child process.

    class Maintenance(CommandToolset):
        commands = ["clearsessions", "library_report"]
        timeout = 120

The command's own argparse arguments become the input schema; a value is always data (options
as one `--opt=value` element, positionals after `--`), so no value reaches Django's global
options. Its stdout and its own stderr lines reach the client live as log notifications and are
returned at the end; a Python traceback stays on the server (logger `mcp_django.commands`).
At most COMMAND_CONCURRENCY processes run per server and COMMAND_QUEUE calls wait for a slot.
A timeout or a cancellation kills the process; a non-zero exit is an in-band tool error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import sys
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar, Literal

from django.conf import settings
from django.core.management import get_commands, load_command_class
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..conf import DEFAULTS
from ..core.context import Context
from ..core.errors import ToolError
from ..registry import Registry
from ..registry.base import Problem, named
from ..registry.signature import Signature
from ..registry.tools import ToolSpec

logger = logging.getLogger("mcp_django.commands")

# BaseCommand's own options: never part of a tool's schema, never reachable from a value
COMMON = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color",
          "force_color", "skip_checks"}
# the argparse actions a value can be given to safely; any other kind stays out of the schema
FLAGS = (argparse._StoreConstAction, argparse.BooleanOptionalAction)
VALUES = (argparse._StoreAction, argparse._AppendAction)
LISTS = ("*", "+")
TRACEBACK = "Traceback (most recent call last):"
WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")
MESSAGE = re.compile(r"^(?:\w*Error: |\S+ \S+: error: )(?P<message>.+)$")


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


class CommandToolset:
    commands: ClassVar[list[str]] = []
    prefix: ClassVar[str] = "command_"
    timeout: ClassVar[float] = 300.0
    task: ClassVar[str | None] = "optional"  # long commands become tasks for clients that can
    permissions: ClassVar[Callable[[Any], bool] | list[str] | None] = _superuser

    @classmethod
    def register(cls, registry: Registry) -> None:
        """Add a tool per command; unknown commands are recorded for system check E007."""
        available, obj = get_commands(), f"{cls.__module__}.{cls.__qualname__}"
        for name in cls.commands:
            if name not in available:
                registry.problems.append(Problem(
                    "mcp_django.E007", f"{cls.__name__}: no management command named {name!r}",
                    obj, "Check the spelling, and that the app defining it is installed."))
                continue
            registry.record(lambda name=name: registry.add_tool(cls()._tool(name, available[name])),
                            obj=obj)

    def _tool(self, command: str, app: str) -> ToolSpec:
        parser = load_command_class(app, command).create_parser("manage.py", command)
        actions = [a for a in parser._actions if _exposed(a)]
        arguments = _arguments_model(command, actions)
        timeout = self.timeout
        fixed = ["--no-color"] + (["--skip-checks"] if any(
            a.dest == "skip_checks" for a in parser._actions) else [])

        async def run(ctx: Context, **kwargs: Any) -> str:
            return await run_command(ctx, command, _argv(actions, kwargs, fixed), timeout)

        named(run, type(self), f"commands[{command!r}]")

        schema = arguments.model_json_schema()
        schema.pop("title", None)
        # plain text output: no structuredContent, no outputSchema (2025-11-25 tools §Tool Result)
        signature = Signature(arguments, schema, "ctx", None, None, False, True)
        permissions = self.permissions
        if permissions is not None and not callable(permissions):
            permissions = list(permissions)
        return ToolSpec(f"{self.prefix}{command}", run, signature,
                        description=parser.description or f"Run `manage.py {command}`.",
                        title=f"manage.py {command}", task=self.task, permissions=permissions,
                        annotations={"openWorldHint": False})


def _exposed(action: argparse.Action) -> bool:
    """The command's own arguments of a kind `_argv` can pass as data (not --settings & co)."""
    if action.dest in COMMON or action.dest == argparse.SUPPRESS:
        return False
    if isinstance(action, FLAGS):
        return bool(action.option_strings)
    if type(action) is argparse._AppendAction:
        return action.nargs is None
    return isinstance(action, VALUES) and action.nargs not in (argparse.REMAINDER,
                                                               argparse.PARSER)


def _arguments_model(command: str, actions: list[argparse.Action]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for action in actions:
        kind, default = _kind(action)
        info = {"description": action.help or action.dest}
        if action.option_strings:
            required = bool(action.required)
        else:  # argparse marks `nargs="*"` positionals required; an empty list is fine here
            required = action.nargs not in ("?", "*")
        fields[action.dest] = (kind if required else kind | None,
                               Field(... if required else default, **info))
    return create_model(f"{command}Arguments", __config__=ConfigDict(extra="forbid"), **fields)


def _kind(action: argparse.Action) -> tuple[Any, Any]:
    if isinstance(action, FLAGS):
        return bool, action.default if isinstance(action.default, bool) else None
    default = None if action.default == argparse.SUPPRESS else action.default
    base: Any = action.type if action.type in (int, float) else str
    if action.choices:
        base = Literal[tuple(action.choices)]  # type: ignore[misc]
    if (action.nargs in LISTS or isinstance(action.nargs, int)
            or isinstance(action, argparse._AppendAction)):
        base = list[base]
    return base, default


def _argv(actions: list[argparse.Action], values: dict[str, Any], fixed: list[str]
          ) -> list[str]:
    """The command line for validated arguments: options, the fixed flags, then `--` and the
    positionals, so a value that starts with `-` is data and never one of Django's options
    (ManagementUtility and the command's CommandParser both stop at `--`)."""
    options: list[str] = []
    positionals: list[str] = []
    skipped: str | None = None
    for action in actions:
        value = values.get(action.dest)
        if value is None:
            skipped = skipped or (None if action.option_strings else action.dest)
            continue
        items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if any("\0" in item for item in items):
            raise ToolError(f"{action.dest}: a value cannot contain a NUL character")
        if action.option_strings:
            options += _option(action, value, items)
        elif skipped:  # argparse fills positionals in order: this value would land in `skipped`
            raise ToolError(f"{action.dest}: give {skipped} too (positionals are in order)")
        else:
            positionals += items
    if any(not a.option_strings for a in actions):
        return [*options, *fixed, "--", *positionals]
    return [*options, *fixed]


def _option(action: argparse.Action, value: Any, items: list[str]) -> list[str]:
    """One option as argv elements; each value rides in the same element as its option."""
    flag = _flag(action)
    if isinstance(action, argparse.BooleanOptionalAction):
        return [flag if value else next(s for s in action.option_strings
                                        if s.startswith("--no-"))]
    if isinstance(action, argparse._StoreFalseAction):
        return [] if value else [flag]
    if isinstance(action, argparse._StoreConstAction):
        return [flag] if value else []
    if isinstance(action, argparse._AppendAction) or action.nargs in (None, "?"):
        return [f"{flag}={item}" for item in items]
    dashed = [item for item in items[1:] if item.startswith("-")]
    if dashed:  # argparse reads them as options: only the first value can carry a dash
        raise ToolError(f"{action.dest}: only the first value may start with '-' "
                        f"(got {dashed[0]!r})")
    return [f"{flag}={items[0]}", *items[1:]] if items else [flag]


def _flag(action: argparse.Action) -> str:
    """The long spelling of an option (`--genre` rather than `-g`)."""
    return next((s for s in action.option_strings if s.startswith("--")),
                action.option_strings[0])


async def run_command(ctx: Context, command: str, argv: list[str], timeout: float) -> str:
    """Run `python -m django <command> <argv>` once a slot is free; stream its lines; kill it
    on timeout or cancel."""
    async with _slots(ctx).hold(ctx):
        return await _run(ctx, command, argv, timeout)


async def _run(ctx: Context, command: str, argv: list[str], timeout: float) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
           "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "django", command, *argv, env=env,
        stdin=asyncio.subprocess.DEVNULL,  # a prompt never reads the server's stdin
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    lines: list[str] = []
    stderr = _Stderr()
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(_pump(process.stdout, "info", ctx, lines, None),
                                 _pump(process.stderr, "warning", ctx, lines, stderr))
            code = await process.wait()
    except TimeoutError:
        raise ToolError(f"manage.py {command} timed out after {timeout:g} s and was stopped"
                        ) from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if code != 0 or stderr.withheld:
        logger.warning("manage.py %s %r exited with %s; its stderr:\n%s", command, argv,
                       code, "\n".join(stderr.lines))
    if code != 0:
        raise ToolError(_failure(command, code, stderr.message))
    return "\n".join(lines)


def _failure(command: str, code: int, message: str | None) -> str:
    """A short in-band error: the exit code and the command's own error line, if any."""
    text = f"manage.py {command} failed (exit {code})"
    return f"{text}: {message}" if message else text


class _Stderr:
    """The child's stderr, split into what the client may see and what stays on the server.

    The command's own lines pass. From a Python traceback on, nothing passes (frames name
    server paths), nor does a warning line with its source line. `message` is the last
    `CommandError: ...` (or argparse `error: ...`) line the client saw.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.withheld = False
        self.message: str | None = None
        self._warning = False

    def public(self, line: str) -> bool:
        self.lines.append(line)
        after_warning, self._warning = self._warning, bool(WARNING.match(line))
        if line.startswith(TRACEBACK):
            self.withheld = True
        if self.withheld or self._warning or (after_warning and line[:1].isspace()):
            return False
        found = MESSAGE.match(line)
        if found:
            self.message = found["message"]
        return True


async def _pump(stream: Any, level: str, ctx: Context, lines: list[str],
                stderr: _Stderr | None) -> None:
    while line := await stream.readline():
        text = line.decode(errors="replace").rstrip("\n")
        if stderr is not None and not stderr.public(text):
            continue
        lines.append(text)
        await ctx.log(level, text, "manage.py")


class _Slots:
    """COMMAND_CONCURRENCY processes at once; COMMAND_QUEUE more calls wait (FIFO: asyncio's
    Semaphore wakes waiters in order) for at most REQUEST_TIMEOUT; past that a call is refused
    at once. A cancelled waiter leaves the queue."""

    def __init__(self, running: int, waiting: int, patience: float) -> None:
        self.running, self.waiting, self.patience = running, waiting, patience
        self.queued = 0
        self.free = asyncio.Semaphore(running)

    @contextlib.asynccontextmanager
    async def hold(self, ctx: Context) -> AsyncIterator[None]:
        if self.free.locked():
            await self._wait(ctx)
        else:
            await self.free.acquire()  # a free slot: returns without suspending
        try:
            yield
        finally:
            self.free.release()

    async def _wait(self, ctx: Context) -> None:
        if self.queued >= self.waiting:
            raise ToolError(f"Too many commands: COMMAND_CONCURRENCY={self.running} are running "
                            f"and COMMAND_QUEUE={self.waiting} are waiting; try again later")
        self.queued += 1
        try:
            await ctx.log("notice", f"Waiting for a free command slot (COMMAND_CONCURRENCY="
                                    f"{self.running} running)", "manage.py")
            async with asyncio.timeout(self.patience):
                await self.free.acquire()
        except TimeoutError:
            raise ToolError(f"No command slot became free within {self.patience:g} s "
                            f"(COMMAND_CONCURRENCY={self.running})") from None
        finally:
            self.queued -= 1


_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Slots]] = \
    weakref.WeakKeyDictionary()


def _slots(ctx: Context) -> _Slots:
    """The calling server's slots (one set per server name and event loop)."""
    server = ctx.server
    per_loop = _SLOTS.setdefault(asyncio.get_running_loop(), {})
    name = getattr(server, "name", "")
    if name not in per_loop:
        limits = getattr(server, "settings", DEFAULTS)
        per_loop[name] = _Slots(int(limits["COMMAND_CONCURRENCY"]), int(limits["COMMAND_QUEUE"]),
                                float(limits["REQUEST_TIMEOUT"]))
    return per_loop[name]


def commands(cls: type[CommandToolset]) -> type[CommandToolset]:
    """Register an allowlist of commands into the default server (use in an app's `mcp.py`)."""
    from ..registry import default_registry

    cls.register(default_registry)
    return cls
