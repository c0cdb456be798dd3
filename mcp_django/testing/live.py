"""LiveServer: a real daphne process on a free loopback port, started and stopped by tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """`with LiveServer("project.asgi:application") as server: httpx.get(server.url + "/mcp")`.

    `databases` ({alias: NAME}) points the child's database aliases at those names (the test
    databases the tests write to) without a settings change: the child serves
    `mcp_django.testing.child:application`, which sets them and then loads `application`.
    """

    def __init__(self, application: str, env: dict[str, str] | None = None,
                 startup_timeout: float = 30.0, databases: dict[str, str] | None = None
                 ) -> None:
        self.application = application
        self.env = env or {}
        if databases is not None:
            self.application = "mcp_django.testing.child:application"
            self.env = {**self.env, "MCP_LIVE_APPLICATION": application,
                        "MCP_LIVE_DATABASES": json.dumps(databases)}
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="daphne-", suffix=".log")[1])

    def start(self) -> LiveServer:
        env = {**os.environ, **self.env}
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                   self.application]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"daphne did not start within {self.startup_timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
