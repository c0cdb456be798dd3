"""Model toolsets through a real server with real tokens, for users with and without each
permission: field boundaries, declared filters only, hidden tools, object-level denials, and
validation errors that name the fields."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from demo_project.library.models import Book
from mcp_django.models import McpToken
from tests.e2e.helpers import RawClient

BOOK_FIELDS = {"id", "title", "author", "genre", "published", "pages"}
ROLES = {"nobody": [], "reader": ["view_book", "view_author"],
         "editor": ["view_book", "add_book", "change_book", "delete_book", "view_author"]}


@pytest.fixture
def as_user(live_mcp_server):
    call_command("loaddata", "demo", verbosity=0)
    clients: list[RawClient] = []

    def client(role: str) -> RawClient:
        user = get_user_model().objects.create_user(f"{role}-{len(clients)}")
        user.user_permissions.set(Permission.objects.filter(
            content_type__app_label="library", codename__in=ROLES[role]))
        raw = RawClient(live_mcp_server.url + "/secure/mcp")
        raw.http.headers["Authorization"] = "Bearer " + McpToken.issue(user, "t")[1]
        clients.append(raw)
        return raw

    yield client
    for raw in clients:
        raw.close()


def names(client: RawClient) -> set[str]:
    return {tool["name"] for tool in client.modern("tools/list").result["tools"]}


def call(client: RawClient, tool: str, arguments: dict) -> dict:
    return client.modern("tools/call", {"name": tool, "arguments": arguments}).final


def test_each_user_sees_only_the_tools_they_may_call(as_user):
    nobody, reader, editor = as_user("nobody"), as_user("reader"), as_user("editor")
    toolset = {n for n in names(editor) if n.startswith(("book_", "author_"))} - {"book_details"}
    assert toolset == {"book_list", "book_retrieve", "book_create", "book_update", "book_delete",
                       "author_list", "author_retrieve"}
    assert {"book_list", "book_retrieve", "author_list"} <= names(reader)
    assert not names(reader) & {"book_create", "book_update", "book_delete"}
    assert not names(nobody) & toolset
    for client, tool in ((reader, "book_create"), (nobody, "book_list")):
        hidden = call(client, tool, {})
        unknown = call(client, "no_such_tool", {})
        assert hidden["error"] == {**unknown["error"], "message": f"Unknown tool: {tool}"}


def test_fields_outside_the_boundary_never_leave(as_user):
    reader = as_user("reader")
    listed = call(reader, "book_list", {})["result"]
    assert listed["structuredContent"]["count"] == 9
    assert all(set(item) == BOOK_FIELDS for item in listed["structuredContent"]["items"])
    one = call(reader, "book_retrieve", {"id": 1})["result"]["structuredContent"]
    assert set(one) == BOOK_FIELDS and "summary" not in str(one) and "archived" not in str(one)
    schema = next(t for t in reader.modern("tools/list").result["tools"]
                  if t["name"] == "book_retrieve")["outputSchema"]
    assert set(schema["properties"]) == BOOK_FIELDS


def test_only_declared_filters_and_orderings_are_accepted(as_user):
    reader = as_user("reader")
    science = call(reader, "book_list", {"filters": {"genre": "science"},
                                         "ordering": "-published"})["result"]
    assert [b["title"] for b in science["structuredContent"]["items"]] == [
        "Pale Blue Dot", "Cosmos"]
    related = call(reader, "book_list", {"filters": {"author__name__icontains": "beard",
                                                     "published__gte": 2016}})["result"]
    assert [b["title"] for b in related["structuredContent"]["items"]] == ["Women & Power"]
    for arguments, field in (({"filters": {"summary__icontains": "x"}}, "summary__icontains"),
                             ({"filters": {"archived": True}}, "archived"),
                             ({"ordering": "summary"}, "ordering"),
                             ({"page_size": 5000}, "page_size")):
        refused = call(reader, "book_list", arguments)["result"]
        assert refused["isError"] and field in refused["content"][0]["text"], refused


def test_cursor_pagination_walks_every_row_once(as_user):
    reader = as_user("reader")
    seen, cursor = [], None
    while True:
        page = call(reader, "book_list", {"page_size": 4, "cursor": cursor} if cursor
                    else {"page_size": 4})["result"]["structuredContent"]
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == list(range(1, 10))


def test_writes_validate_and_report_the_fields(as_user):
    editor = as_user("editor")
    bad = call(editor, "book_create", {"title": "x" * 301, "author": 1, "genre": "cooking",
                                       "published": 2020, "pages": -1})["result"]
    text = bad["content"][0]["text"]
    assert bad["isError"] and all(f in text for f in ("title", "genre", "pages"))
    missing_author = call(editor, "book_create", {"title": "T", "author": 999, "genre": "poetry",
                                                  "published": 2020, "pages": 10})["result"]
    assert missing_author["isError"] and "author" in missing_author["content"][0]["text"]
    created = call(editor, "book_create", {"title": "Kindred", "author": 1, "genre": "fiction",
                                           "published": 1979, "pages": 264, "summary": "no"}
                   )["result"]
    assert created["isError"] and "summary" in created["content"][0]["text"]  # input boundary
    created = call(editor, "book_create", {"title": "Kindred", "author": 1, "genre": "fiction",
                                           "published": 1979, "pages": 264})["result"]
    book_id = created["structuredContent"]["id"]
    updated = call(editor, "book_update", {"id": book_id, "pages": 300})["result"]
    assert updated["structuredContent"]["pages"] == 300
    assert updated["structuredContent"]["title"] == "Kindred"  # partial update
    assert call(editor, "book_delete", {"id": book_id})["result"]["structuredContent"] == {
        "deleted": True}
    assert not Book.objects.filter(pk=book_id).exists()


def test_object_level_denials_hold(as_user):
    """Archived books are read-only for non-superusers: updates and deletes find nothing."""
    Book.objects.filter(pk=3).update(archived=True)
    editor = as_user("editor")
    assert call(editor, "book_retrieve", {"id": 3})["result"]["structuredContent"]["id"] == 3
    for tool, arguments in (("book_update", {"id": 3, "pages": 1}), ("book_delete", {"id": 3})):
        denied = call(editor, tool, arguments)["result"]
        assert denied["isError"] and denied["content"][0]["text"] == "Not found"
    assert Book.objects.get(pk=3).pages == 365


def test_objects_as_resources_respect_permissions_and_boundaries(as_user):
    reader, nobody = as_user("reader"), as_user("nobody")
    templates = [t["uriTemplate"] for t in
                 reader.modern("resources/templates/list").result["resourceTemplates"]]
    assert "django://library.book/{pk}" in templates
    book = reader.modern("resources/read", {"uri": "django://library.book/3"}).result
    assert '"title":"Cosmos"' in book["contents"][0]["text"]
    assert "summary" not in book["contents"][0]["text"]
    for client, uri in ((nobody, "django://library.book/3"), (reader, "django://library.book/99"),
                        (reader, "django://library.book/abc")):
        missing = client.modern("resources/read", {"uri": uri})
        assert missing.error["code"] == -32602 and missing.error["data"] == {"uri": uri}


def test_an_out_of_range_cursor_is_a_validation_error_naming_the_cursor(as_user):
    import base64

    reader = as_user("reader")
    for offset in ("9" * 20, "-1", "1_0", " 5"):
        cursor = base64.urlsafe_b64encode(f"m:{offset}".encode()).decode()
        refused = call(reader, "book_list", {"cursor": cursor})["result"]
        text = refused["content"][0]["text"]
        assert refused["isError"] and "cursor" in text and "failed" not in text, (offset, text)
    garbage = call(reader, "book_list", {"cursor": "12345678901234567890"})["result"]
    assert garbage["isError"] and "cursor" in garbage["content"][0]["text"], garbage


def test_lookups_are_strict_when_a_value_has_the_wrong_json_type(as_user):
    """`true` is not primary key 1 and `"1"` is not an integer."""
    editor = as_user("editor")
    for tool, arguments, field in (
            ("book_retrieve", {"id": True}, "id"), ("book_retrieve", {"id": "1"}, "id"),
            ("book_update", {"id": True, "pages": 1}, "id"),
            ("book_delete", {"id": "1"}, "id"),
            ("book_update", {"id": 1, "pages": "12"}, "pages"),
            ("book_list", {"filters": {"published__gte": True}}, "published__gte"),
            ("book_list", {"filters": {"genre__in": "poetry"}}, "genre__in")):
        refused = call(editor, tool, arguments)["result"]
        assert refused["isError"] and field in refused["content"][0]["text"], (tool, refused)
    assert Book.objects.filter(pk=1).exists() and Book.objects.get(pk=1).pages != 1


def test_the_destructive_demo_tool_needs_the_change_permission(as_user):
    """archive_genre writes, so it declares library.change_book: hidden from readers."""
    nobody, reader, editor = as_user("nobody"), as_user("reader"), as_user("editor")
    for client in (nobody, reader):
        assert "archive_genre" not in names(client)
        hidden = call(client, "archive_genre", {"genre": "poetry"})
        assert hidden["error"]["message"] == "Unknown tool: archive_genre"
    assert Book.objects.filter(archived=True).count() == 0
    assert "archive_genre" in names(editor)
    asked = editor.modern("tools/call", {"name": "archive_genre", "arguments": {
        "genre": "poetry"}}, capabilities={"elicitation": {}}).result
    assert asked["resultType"] == "input_required"
