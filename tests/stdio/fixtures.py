"""Servers only the stdio tests use: tools that tick until cancelled, print to stdout, block a
thread, and report who is calling."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from mcp_django import Context
from mcp_django.server import McpServer

fixtures = McpServer("stdio_fixtures", ALLOW_ANONYMOUS=True, MAX_BODY_BYTES=64 * 1024,
                     MAX_BATCH=3, MAX_BATCH_RESPONSE_BYTES=256)
short = McpServer("stdio_short", registry=fixtures.registry, ALLOW_ANONYMOUS=True,
                  REQUEST_TIMEOUT=0.5, STREAM_MAX_SECONDS=1.0)
private = McpServer("stdio_private", registry=fixtures.registry, ALLOW_ANONYMOUS=False)
rechecked = McpServer("stdio_rechecked", registry=fixtures.registry, ALLOW_ANONYMOUS=False,
                      PRINCIPAL_RECHECK_SECONDS=0.0)


@fixtures.tool
async def ticking(marker: str, ctx: Context) -> str:
    """Reports progress every 50 ms until cancelled; then writes "cancelled" to `marker`."""
    try:
        step = 0
        while True:
            step += 1
            await ctx.report_progress(step, None, f"tick {step}")
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        Path(marker).write_text("cancelled")
        raise


@fixtures.tool
def noisy() -> str:
    """Writes to stdout every way it can: print, the fd, a child process, logging, warnings."""
    print("print() to stdout")
    sys.stdout.write("sys.stdout.write\n")
    sys.stdout.flush()
    os.write(1, b"os.write to fd 1\n")
    subprocess.run([sys.executable, "-c", "print('a child process on stdout')"], check=True)
    logging.getLogger("tests.stdio").error("a log record")
    warnings.warn("a warning", UserWarning, stacklevel=1)
    return "quiet"


@fixtures.tool
def blocking(seconds: float) -> str:
    """Sleeps in its thread (sync tools run off the event loop)."""
    time.sleep(seconds)
    return f"slept {seconds}"


@fixtures.tool
async def whoami(ctx: Context) -> str:
    """The caller's username, or "anonymous"."""
    return ctx.user.get_username() if ctx.user is not None else "anonymous"


@fixtures.tool(permissions=["library.change_book"])
async def editors_only() -> str:
    """Only callers with library.change_book see or call this."""
    return "edited"


@fixtures.resource("fixtures://note", name="note", mime_type="text/plain")
def note() -> str:
    """A resource to read."""
    return "a note"
