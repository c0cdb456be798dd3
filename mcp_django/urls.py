"""URLconf for the default server: `path("", include("mcp_django.urls"))` serves `/mcp`."""

from .server import default_server

urlpatterns = default_server.urls("mcp")
