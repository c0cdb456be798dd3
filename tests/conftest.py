"""Shared fixtures: the live daphne server plugin and JSON schema validation of server output."""

pytest_plugins = ["mcp_django.testing.pytest_plugin"]
