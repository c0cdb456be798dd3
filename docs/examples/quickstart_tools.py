"""Quickstart: tools, a resource and a prompt in an app's `mcp.py` (autodiscovered)."""

from __future__ import annotations

from pydantic import BaseModel

from mcp_django import Context, ToolError
from mcp_django.registry import Registry

# In your app's mcp.py use the module-level decorators instead:
#     from mcp_django import tool, resource, prompt
# This example uses its own registry so the docs test can inspect it in isolation.
registry = Registry()


class Forecast(BaseModel):
    city: str
    celsius: float


@registry.tool(title="Add two numbers", annotations={"readOnlyHint": True})
def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    return a + b


@registry.tool
async def forecast(city: str, ctx: Context) -> Forecast:
    """Tomorrow's temperature for a city (structured output)."""
    await ctx.report_progress(1, 2, "asking the weather service")
    await ctx.info(f"forecast requested for {city}")
    if city.lower() == "atlantis":
        raise ToolError("No forecasts below sea level")
    return Forecast(city=city, celsius=21.5)


@registry.resource("notes://{slug}", mime_type="text/markdown")
def note(slug: str) -> str:
    """A markdown note."""
    return f"# {slug}\n\nNothing here yet."


@registry.prompt(title="Summarise")
def summarise(text: str, style: str = "short") -> str:
    """Ask for a summary."""
    return f"Summarise this in a {style} style:\n\n{text}"


@registry.tool(task="optional")
async def delete_note(slug: str, ctx: Context) -> str:
    """Delete a note after the user confirms (both eras; a task for clients that want one)."""
    answer = await ctx.elicit(f"Delete {slug}?", {
        "type": "object", "properties": {"sure": {"type": "boolean"}}, "required": ["sure"]},
        key="confirm")
    if answer["action"] == "accept" and answer["content"].get("sure"):
        return f"Deleted {slug}"
    return "Kept it"
