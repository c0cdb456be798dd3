"""List the tools a token may use at a demo endpoint, then call two of them.

    .venv/bin/python scripts/try_demo.py http://127.0.0.1:8000/mcp mcp_xxxx_yyyy
"""

from __future__ import annotations

import asyncio
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def main(url: str, token: str) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"},
                              timeout=httpx2.Timeout(30, read=300))
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        print("tools:", ", ".join(tools))
        books = await client.call_tool("book_list", {"filters": {"genre": "science"}})
        print("book_list(genre=science):", books.structured_content)
        if "book_create" not in tools:
            print("book_create: not offered to this token (it lacks library.add_book), "
                  "as expected for a reader")
            return
        created = await client.call_tool("book_create", {
            "title": "The Demon-Haunted World", "author": 2, "genre": "science",
            "published": 1995, "pages": 457})
        print("book_create:", created.structured_content or created.content[0].text)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
