"""Demo URLs: the library MCP server at /mcp, the conformance server, and the admin."""

from django.contrib import admin
from django.urls import include, path

from demo_project.conformance import conformance

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mcp_django.urls")),
    path("conformance/", include(conformance.urls("mcp"))),
]
