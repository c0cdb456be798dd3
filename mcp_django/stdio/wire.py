"""Newline-delimited JSON-RPC on the process's pipes (2025-11-25 transports §stdio)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..core.jsonrpc import dump

CHUNK = 64 * 1024
QUEUED_LINES = 16


@dataclass(frozen=True)
class Oversized:
    """A line longer than the limit: read past and dropped, never held whole."""

    size: int


Line = bytes | Oversized


class LineSplitter:
    """Cuts a byte stream into lines; holds at most `limit` bytes of an unfinished one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.skipped: int | None = None  # bytes dropped of the current, too long, line

    def feed(self, chunk: bytes) -> list[Line]:
        lines: list[Line] = []
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            lines.append(self._finish(chunk[start:end]))
            start = end + 1
        self._keep(chunk[start:])
        return lines

    def close(self) -> list[Line]:
        """A half line at end of input is still a line (and most likely a parse error)."""
        if self.skipped is None and not self.buffer:
            return []
        return [self._finish(b"")]

    def _keep(self, part: bytes) -> None:
        if self.skipped is not None:
            self.skipped += len(part)
            return
        self.buffer += part
        if len(self.buffer) > self.limit:
            self.skipped, self.buffer = len(self.buffer), bytearray()

    def _finish(self, part: bytes) -> Line:
        if self.skipped is not None or len(self.buffer) + len(part) > self.limit:
            size = (self.skipped or len(self.buffer)) + len(part)
            self.skipped, self.buffer = None, bytearray()
            return Oversized(size)
        line = bytes(self.buffer + part)
        self.buffer = bytearray()
        return line[:-1] if line.endswith(b"\r") else line


class StdinReader:
    """Reads a file descriptor in a daemon thread (pipes, files and terminals alike) and hands
    lines to the event loop through a small queue: a busy server slows the reading down
    instead of buffering the client's input. `None` marks the end of input."""

    def __init__(self, fd: int, limit: int) -> None:
        self.fd = fd
        self.limit = limit
        self.queue: asyncio.Queue[Line | None] = asyncio.Queue(QUEUED_LINES)
        self.loop = asyncio.get_running_loop()

    def start(self) -> None:
        threading.Thread(target=self._run, name="mcp-stdin", daemon=True).start()

    async def next(self) -> Line | None:
        return await self.queue.get()

    def _run(self) -> None:
        splitter = LineSplitter(self.limit)
        try:
            while chunk := os.read(self.fd, CHUNK):
                for line in splitter.feed(chunk):
                    self._put(line)
            for line in splitter.close():
                self._put(line)
        except (OSError, RuntimeError):  # stdin closed under us, or the loop is gone
            pass
        finally:
            self._put(None)

    def _put(self, item: Line | None) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.queue.put(item), self.loop).result()
        except RuntimeError:  # the loop stopped: nobody reads any more
            pass


class Output:
    """The private handle on the real stdout: one JSON-RPC message per line, written by one
    thread in the order `send` was called, so a client that reads slowly never blocks the
    event loop (a sender waits for its own line instead). A closed pipe calls `on_closed`."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.on_closed: Callable[[], None] = lambda: None
        self.closed = False
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="mcp-stdout")

    async def send(self, message: Any) -> None:
        if self.closed:
            return
        data = dump(message) + b"\n"  # JSON text escapes newlines: one message, one line
        try:
            await asyncio.get_running_loop().run_in_executor(self.pool, self._write, data)
        except OSError:
            self._close()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def _close(self) -> None:
        if not self.closed:
            self.closed = True
            self.on_closed()

    def close(self) -> None:
        """No more lines; the one being written (if any) still finishes."""
        self.closed = True
        self.pool.shutdown(wait=False)
