"""The test project's URLs; importing the fixtures registers the stdio-only servers."""

from tests.project.urls import urlpatterns
from tests.stdio import fixtures  # noqa: F401

__all__ = ["urlpatterns"]
