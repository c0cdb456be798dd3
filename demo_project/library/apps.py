"""Library app config."""

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "demo_project.library"
    label = "library"
    default_auto_field = "django.db.models.BigAutoField"
