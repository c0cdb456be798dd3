"""URLconf for the default server: `path("", include("mcp_django.urls"))` serves `/mcp` and the
protected-resource metadata under `/.well-known/oauth-protected-resource`."""

from django.urls import path

from .server import default_server
from .views import protected_resource_metadata

urlpatterns = [
    *default_server.urls("mcp"),
    path(".well-known/oauth-protected-resource", protected_resource_metadata),
    path(".well-known/oauth-protected-resource/<path:resource>", protected_resource_metadata,
         name="mcp-resource-metadata"),
]
