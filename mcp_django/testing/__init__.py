"""Test helpers: real daphne servers on 127.0.0.1 (see `mcp_django.testing.pytest_plugin`)."""

from .live import LiveServer, free_port

__all__ = ["LiveServer", "free_port"]
