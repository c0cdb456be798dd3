"""docs/architecture.md "Adding a method": a modern-only `notes/count`, one handler + one spec."""

from typing import Any

from mcp_django.core.methods.params import Params
from mcp_django.core.methods.table import MODERN, MethodSpec
from mcp_django.server import McpServer

notes = McpServer("notes_example", ALLOW_ANONYMOUS=True)
NOTES = {"inbox": ["call the plumber", "buy milk"]}


class CountParams(Params):
    folder: str


async def count_notes(dispatcher: Any, ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {"count": len(NOTES.get(params["folder"], []))}


notes.add_method(MethodSpec("notes/count", count_notes, MODERN, CountParams,
                            name_param="folder"))
