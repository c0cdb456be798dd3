"""CommandToolset: allowlisted management commands as tools, run in a child process.

    class Maintenance(CommandToolset):
        commands = ["clearsessions", "library_report"]
        timeout = 120

The command's argparse definition becomes the input schema. Its stdout and stderr reach the
client live as log notifications and are returned at the end. A timeout or a cancellation kills
the process; a CommandError (non-zero exit) is an in-band tool error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.core.management import get_commands, load_command_class
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..core.context import Context
from ..core.errors import ConfigError, ToolError
from ..registry import Registry
from ..registry.signature import Signature
from ..registry.tools import ToolSpec

COMMON = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color",
          "force_color", "skip_checks"}


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
        available = get_commands()
        for name in cls.commands:
            if name not in available:
                registry.problems.append(("mcp_django.E007", f"{cls.__name__}: no management "
                                                             f"command named {name!r}"))
                continue
            try:
                registry.add_tool(cls()._tool(name, available[name]))
            except ConfigError as exc:
                registry.problems.append(("mcp_django.E004", str(exc)))

    def _tool(self, command: str, app: str) -> ToolSpec:
        parser = load_command_class(app, command).create_parser("manage.py", command)
        actions = [a for a in parser._actions if a.dest not in COMMON]
        arguments = _arguments_model(command, actions)
        timeout = self.timeout
        fixed = ["--no-color"] + (["--skip-checks"] if any(
            a.dest == "skip_checks" for a in parser._actions) else [])

        async def run(ctx: Context, **kwargs: Any) -> str:
            return await run_command(ctx, command, _argv(actions, kwargs) + fixed, timeout)

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
    from typing import Literal

    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        return bool, action.default
    base: Any = action.type if action.type in (int, float) else str
    if action.choices:
        base = Literal[tuple(action.choices)]  # type: ignore[misc]
    if action.nargs in ("*", "+") or isinstance(action.nargs, int):
        base = list[base]
    return base, action.default


def _argv(actions: list[argparse.Action], values: dict[str, Any]) -> list[str]:
    """The command line for validated arguments (positionals in order, then options)."""
    argv: list[str] = []
    for action in actions:
        value = values.get(action.dest)
        if value is None or (isinstance(action, argparse._StoreTrueAction) and not value):
            continue
        if isinstance(action, argparse._StoreFalseAction):
            if not value:
                argv.append(action.option_strings[-1])
            continue
        items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if action.option_strings:
            if isinstance(action, argparse._StoreTrueAction):
                argv.append(action.option_strings[-1])
            else:
                argv.extend([action.option_strings[-1], *items])
        else:
            argv.extend(items)
    return argv


async def run_command(ctx: Context, command: str, argv: list[str], timeout: float) -> str:
    """Run `python -m django <command> <argv>`; stream its lines; kill it on timeout or cancel."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
           "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "django", command, *argv, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    lines: list[str] = []
    try:
        async with asyncio.timeout(timeout):
            await asyncio.gather(_pump(process.stdout, "info", ctx, lines),
                                 _pump(process.stderr, "warning", ctx, lines))
            code = await process.wait()
    except TimeoutError:
        raise ToolError(f"manage.py {command} timed out after {timeout:g} s and was stopped"
                        ) from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = "\n".join(lines)
    if code != 0:
        raise ToolError(f"manage.py {command} failed (exit {code}):\n{output}")
    return output


async def _pump(stream: Any, level: str, ctx: Context, lines: list[str]) -> None:
    while line := await stream.readline():
        text = line.decode(errors="replace").rstrip("\n")
        lines.append(text)
        await ctx.log(level, text, "manage.py")


def commands(cls: type[CommandToolset]) -> type[CommandToolset]:
    """Register an allowlist of commands into the default server (use in an app's `mcp.py`)."""
    from ..registry import default_registry

    cls.register(default_registry)
    return cls
