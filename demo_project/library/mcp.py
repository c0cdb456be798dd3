"""The library's MCP tools, resources and prompts (autodiscovered into the default server)."""

from __future__ import annotations

import asyncio

from django.db.models.signals import post_save
from django.dispatch import receiver
from pydantic import BaseModel

from mcp_django import Context, ToolError, prompt, resource, tool
from mcp_django.integrations.commands import CommandToolset, commands
from mcp_django.integrations.toolsets import ModelToolset, toolset
from mcp_django.server import default_server

from .models import Author, Book


class BookOut(BaseModel):
    id: int
    title: str
    author: str
    genre: str
    published: int
    pages: int


class SearchResult(BaseModel):
    books: list[BookOut]
    total: int


def _out(book: Book) -> BookOut:
    return BookOut(id=book.pk, title=book.title, author=book.author.name, genre=book.genre,
                   published=book.published, pages=book.pages)


@tool(title="Search books", annotations={"readOnlyHint": True})
def search_books(query: str = "", genre: str | None = None, limit: int = 10) -> SearchResult:
    """Find books whose title or author contains `query`, optionally in one genre."""
    books = Book.objects.select_related("author")
    if query:
        books = books.filter(title__icontains=query) | books.filter(author__name__icontains=query)
    if genre:
        books = books.filter(genre=genre)
    limit = max(1, min(limit, 50))
    return SearchResult(books=[_out(b) for b in books[:limit]], total=books.count())


@tool(title="Book details", annotations={"readOnlyHint": True})
def book_details(book_id: int) -> BookOut:
    """Everything the catalogue knows about one book."""
    try:
        return _out(Book.objects.select_related("author").get(pk=book_id))
    except Book.DoesNotExist:
        raise ToolError(f"No book with id {book_id}") from None


@tool(title="Reading time", annotations={"readOnlyHint": True})
async def reading_time(book_id: int, pages_per_hour: int, ctx: Context) -> str:
    """Estimate the hours needed to read a book, reporting progress as it works."""
    await ctx.report_progress(0, 2, "looking up the book")
    book = await Book.objects.filter(pk=book_id).afirst()
    if book is None:
        raise ToolError(f"No book with id {book_id}")
    await ctx.info(f"{book.title} has {book.pages} pages")
    await ctx.report_progress(2, 2, "done")
    hours = book.pages / max(pages_per_hour, 1)
    return f"About {hours:.1f} hours to read {book.title}."


@resource("library://books/{book_id}", name="book", mime_type="application/json")
def book_resource(book_id: int) -> str:
    """A book as JSON."""
    book = Book.objects.select_related("author").filter(pk=book_id).first()
    if book is None:
        from mcp_django.core.errors import ResourceNotFound

        raise ResourceNotFound(f"library://books/{book_id}")
    return _out(book).model_dump_json()


@prompt(title="Recommend books")
def recommend(genre: str, mood: str = "curious") -> str:
    """Ask the model for recommendations from this library."""
    titles = ", ".join(Book.objects.filter(genre=genre).values_list("title", flat=True)[:20])
    return (f"I am in a {mood} mood and like {genre}. From these books: {titles or 'none'}, "
            "which two should I read next, and why?")


# A tool that writes declares a permission: archiving changes books, so it needs
# library.change_book; a caller without it neither sees nor can call the tool.
@tool(title="Archive a genre", task="optional", permissions=["library.change_book"],
      annotations={"destructiveHint": True, "idempotentHint": True})
async def archive_genre(genre: str, ctx: Context) -> str:
    """Archive every book of a genre, after a human approves the list (editors only).

    Shows the approval flow: visible work with progress, a pause for the user's answer
    (elicitation), then the change or an abort. 2025 clients get an elicitation request on the
    call's stream; 2026-07-28 clients get an input_required result; clients with the tasks
    extension get a task that waits in input_required.
    """
    books = [book async for book in Book.objects.filter(genre=genre, archived=False)]
    for done, book in enumerate(books, start=1):
        await ctx.report_progress(done, len(books) + 1, f"checked {book.title}")
        await asyncio.sleep(0.1)  # stands in for real work (a scan, a backup...)
    if not books:
        return f"No {genre} books to archive."
    titles = ", ".join(book.title for book in books)
    answer = await ctx.elicit(
        f"Archive {len(books)} {genre} book(s): {titles}?",
        {"type": "object", "properties": {"approve": {
            "type": "boolean", "title": "Approve", "description": "Archive these books"}},
         "required": ["approve"]},
        key="approval")
    approved = answer.get("action") == "accept" and (answer.get("content") or {}).get("approve")
    if not approved:
        return f"Aborted: no {genre} book was archived."
    count = await Book.objects.filter(pk__in=[book.pk for book in books]).aupdate(archived=True)
    await ctx.report_progress(len(books) + 1, len(books) + 1, "archived")
    return f"Archived {count} {genre} book(s): {titles}."


@receiver(post_save, sender=Book)
def announce_book_change(sender: type[Book], instance: Book, **kwargs: object) -> None:
    """Clients subscribed to a book's resource hear about every save (admin, shell, tools)."""
    default_server.notify_resource_updated(f"library://books/{instance.pk}")


@toolset
class BookTools(ModelToolset):
    """book_list, book_retrieve, book_create, book_update, book_delete (model permissions)."""

    model = Book
    fields = ["id", "title", "author", "genre", "published", "pages"]  # not summary/archived
    actions = ["list", "retrieve", "create", "update", "delete"]
    filters = {"genre": ["exact", "in"], "published": ["gte", "lte"],
               "title": ["icontains"], "author__name": ["icontains"]}
    ordering_fields = ["title", "published", "pages"]
    default_ordering = "title"
    resource = True  # django://library.book/{pk}

    def has_object_permission(self, ctx: Context, action: str, obj: Book) -> bool:
        """Archived books are read-only except for superusers."""
        return action == "retrieve" or not obj.archived or ctx.user.is_superuser


@toolset
class AuthorTools(ModelToolset):
    """author_list, author_retrieve (read-only, the default)."""

    model = Author
    fields = ["id", "name", "born"]
    filters = {"name": ["icontains"], "born": ["gte", "lte"]}
    ordering_fields = ["name", "born"]


@commands
class LibraryCommands(CommandToolset):
    """command_library_report (output streamed as log lines) and command_check, for editors."""

    commands = ["library_report", "check"]
    permissions = ["library.change_book"]
    timeout = 60
