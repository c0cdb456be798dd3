"""Model toolsets, allowlisted commands and per-tool permissions (docs/django-tools.md)."""

from __future__ import annotations

from demo_project.library.models import Author, Book
from mcp_django import Context
from mcp_django.integrations.commands import CommandToolset
from mcp_django.integrations.toolsets import ModelToolset
from mcp_django.registry import Registry

# In an app's mcp.py decorate the classes with @toolset / @commands (default server);
# here they go into a registry of their own so the docs test can inspect it.
registry = Registry()


class BookTools(ModelToolset):
    model = Book
    fields = ["id", "title", "author", "genre"]          # the output boundary
    write_fields = ["title", "author", "genre"]           # the input boundary for writes
    actions = ["list", "retrieve", "create", "update"]    # default: list, retrieve
    filters = {"genre": ["exact", "in"], "author__name": ["icontains"],
               "published": ["gte", "lte"]}
    ordering_fields = ["title"]
    max_page_size = 50
    prefix = "docs_"

    def get_queryset(self, ctx: Context):
        return super().get_queryset(ctx).filter(archived=False)

    def has_object_permission(self, ctx: Context, action: str, obj: Book) -> bool:
        return action == "retrieve" or ctx.user.is_staff


class AuthorTools(ModelToolset):
    model = Author
    fields = ["id", "name"]
    prefix = "docs_"


class Reports(CommandToolset):
    commands = ["library_report"]
    prefix = "docs_"
    timeout = 30
    permissions = ["library.view_book"]


for toolset in (BookTools, AuthorTools, Reports):
    toolset.register(registry)


@registry.tool(permissions=lambda user: user.is_staff)
def staff_only() -> str:
    """Only staff see and may call this."""
    return "hello, staff"
