"""URLs for running the docs' Python blocks: the default server only."""

from django.urls import include, path

urlpatterns = [path("", include("mcp_django.urls"))]
