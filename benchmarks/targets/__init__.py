"""Servers under test: a bare ASGI callable, a bare Django project and the official SDK."""
