"""StdioChild: `manage.py mcp_stdio` as a child process, read with deadlines, every stdout line
checked to be a JSON-RPC message."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODERN = "2026-07-28"
LEGACY = "2025-11-25"


def command(server: str, user: str | None = None) -> list[str]:
    """The child's command line, as a host would configure it."""
    args = [sys.executable, "manage.py", "mcp_stdio", "--server", server]
    return args + (["--user", user] if user else [])


def is_jsonrpc(message: Any) -> bool:
    """A JSON-RPC 2.0 request, notification or response (or a batch of them)."""
    if isinstance(message, list):
        return bool(message) and all(is_jsonrpc(item) for item in message)
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return False
    if "method" in message:
        return isinstance(message["method"], str)
    return ("result" in message) != ("error" in message) and (
        "id" in message or "error" in message)


def modern_meta(**extra: Any) -> dict[str, Any]:
    return {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": extra.pop("capabilities", {}),
            **extra}


class StdioChild:
    """Send messages or raw bytes; `read`/`response` wait with a deadline, never a sleep."""

    def __init__(self, server: str, env: dict[str, str], user: str | None = None) -> None:
        self.process = subprocess.Popen(command(server, user), cwd=ROOT, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.raw: list[bytes] = []
        self.stderr: list[bytes] = []
        self.seen: list[Any] = []
        self.readers = [threading.Thread(target=self._pump, daemon=True),
                        threading.Thread(target=self._drain_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.raw.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    # -- writing ----------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: Any) -> None:
        self.write(json.dumps(message).encode() + b"\n")

    def request(self, request_id: Any, method: str, params: dict[str, Any] | None = None
                ) -> dict[str, Any]:
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method,
                   "params": params or {}})
        return self.response(request_id)

    def initialize(self, version: str = LEGACY, capabilities: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
        reply = self.request("init", "initialize", {
            "protocolVersion": version, "capabilities": capabilities or {},
            "clientInfo": {"name": "tests", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply

    # -- reading ----------------------------------------------------------------------------
    def read(self, timeout: float = 15.0) -> Any:
        """The next stdout message (AssertionError at the deadline or at end of output)."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout} s; stderr:\n{self.errors()}"
                                 ) from None
        assert line is not None, f"stdout ended; stderr:\n{self.errors()}"
        message = json.loads(line)
        assert is_jsonrpc(message), line
        self.seen.append(message)
        return message

    def until(self, predicate: Any, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            message = self.read(max(0.01, deadline - time.monotonic()))
            if predicate(message):
                return message

    def response(self, request_id: Any, timeout: float = 15.0) -> dict[str, Any]:
        return self.until(lambda m: isinstance(m, dict) and m.get("id") == request_id
                          and "method" not in m, timeout)

    def errors(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")

    # -- ending -----------------------------------------------------------------------------
    def close(self, timeout: float = 15.0) -> int:
        """Close stdin (EOF) and wait for the exit code."""
        assert self.process.stdin is not None
        if not self.process.stdin.closed:
            self.process.stdin.close()
        code = self.process.wait(timeout)
        for reader in self.readers:  # both pipes are at EOF once the process is gone
            reader.join(timeout)
        return code

    def rest(self) -> list[Any]:
        """Every message still coming after the process ended (stdout is at EOF)."""
        found = []
        while (line := self.lines.get(timeout=15.0)) is not None:
            message = json.loads(line)
            assert is_jsonrpc(message), line
            found.append(message)
        return found

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                stream.close()

    def assert_only_jsonrpc(self) -> None:
        for line in self.raw:
            assert is_jsonrpc(json.loads(line)), line


def child_env(db: str, **extra: str) -> dict[str, str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**base, "DJANGO_SETTINGS_MODULE": "tests.stdio.settings", "MCP_TEST_DB": db,
            **extra}
