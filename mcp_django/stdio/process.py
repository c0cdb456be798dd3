"""The process side of `mcp_stdio`: take over the pipes, run the loop, stop on EOF or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .server import StdioServer
from .wire import Output, StdinReader

if TYPE_CHECKING:
    from ..runtime import Runtime


@dataclass(frozen=True)
class Pipes:
    """Private handles on the real stdin and stdout. File descriptors 0 and 1 then point at
    /dev/null and stderr, so nothing but protocol messages reaches stdout — not Django's
    prints, not C extensions, not child processes (command tools) — and no child can read
    the client's input (2025-11-25 transports §stdio: "MUST NOT write anything to its stdout
    that is not a valid MCP message")."""

    stdin: int
    stdout: int

    @classmethod
    def take(cls) -> Pipes:
        pipes = cls(os.dup(0), os.dup(1))  # dup'ed descriptors are not inherited
        os.dup2(2, 1)
        sys.stdout.flush()  # whatever start-up printed and buffered goes to stderr now
        sys.stdout = sys.stderr
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        return pipes


def log_to_stderr() -> None:
    """Warnings and log records to stderr, whatever LOGGING configured."""
    logging.captureWarnings(True)
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)


def serve(runtime: Runtime, principal: Any) -> int:
    """Serve until stdin ends, SIGTERM/SIGINT, or stdout closes; 0 is a clean end."""
    pipes = Pipes.take()
    log_to_stderr()
    asyncio.run(_serve(runtime, principal, pipes))
    return 0


async def _serve(runtime: Runtime, principal: Any, pipes: Pipes) -> None:
    loop = asyncio.get_running_loop()
    output = Output(pipes.stdout)
    server = StdioServer(runtime, principal, output)
    output.on_closed = server.stop
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, server.stop)
    reader = StdinReader(pipes.stdin, runtime.config.max_body)
    reader.start()
    try:
        await server.serve(reader)
    finally:
        output.close()
