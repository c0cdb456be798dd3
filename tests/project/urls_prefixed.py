"""A URLconf that mounts the default server only under a prefix (tests/test_metadata_url.py)."""

from django.urls import include, path

urlpatterns = [path("api/", include("mcp_django.urls"))]
