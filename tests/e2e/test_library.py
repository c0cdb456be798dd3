"""The demo's default server at /mcp: autodiscovered app tools over the ORM, in both eras."""

from __future__ import annotations


def test_app_mcp_module_is_autodiscovered_into_the_default_server(library):
    names = [tool["name"] for tool in library.modern("tools/list").result["tools"]]
    assert names == ["search_books", "book_details", "reading_time"]  # archive_genre: editors
    conformance_only = library.modern("tools/call", {"name": "echo", "arguments": {"text": "x"}})
    assert conformance_only.error["code"] == -32602


def test_sync_tool_queries_the_database(library):
    result = library.modern("tools/call", {"name": "search_books",
                                           "arguments": {"query": "le guin"}}).result
    titles = [book["title"] for book in result["structuredContent"]["books"]]
    assert titles == ["The Dispossessed", "The Left Hand of Darkness"]
    missing = library.modern("tools/call", {"name": "book_details",
                                            "arguments": {"book_id": 999}}).result
    assert missing["isError"] and missing["content"][0]["text"] == "No book with id 999"


def test_async_tool_with_progress_in_a_legacy_session(library):
    session = library.initialize("2025-11-25")
    session.request("logging/setLevel", {"level": "info"})
    answer = session.request("tools/call", {"name": "reading_time", "arguments": {
        "book_id": 3, "pages_per_hour": 73}, "_meta": {"progressToken": "r"}})
    assert [n["params"]["progress"] for n in answer.notifications("notifications/progress")] \
        == [0, 2]
    assert answer.notifications("notifications/message")[0]["params"]["data"] \
        == "Cosmos has 365 pages"
    assert answer.final["result"]["content"][0]["text"] == "About 5.0 hours to read Cosmos."


def test_book_resource_template_and_prompt(library):
    book = library.modern("resources/read", {"uri": "library://books/1"}).result
    assert '"title":"The Left Hand of Darkness"' in book["contents"][0]["text"]
    missing = library.modern("resources/read", {"uri": "library://books/404"})
    assert missing.error["code"] == -32602
    prompt = library.modern("prompts/get", {"name": "recommend",
                                            "arguments": {"genre": "science"}}).result
    assert "Cosmos" in prompt["messages"][0]["content"]["text"]
