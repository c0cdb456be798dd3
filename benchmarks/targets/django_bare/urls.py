from django.urls import path

from .views import mcp

urlpatterns = [path("mcp", mcp)]
