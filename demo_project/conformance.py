"""The conformance server at /conformance/mcp: every fixture the official suite's scenarios use."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated, Any

from mcp_django import (
    Context,
    audio,
    blob_contents,
    embedded_resource,
    header_param,
    image,
    text,
    text_contents,
)
from mcp_django.core.errors import MissingCapability
from mcp_django.registry.prompts import user
from mcp_django.server import McpServer

conformance = McpServer(
    "conformance", SERVER_NAME="mcp-django-conformance", SERVER_TITLE="Conformance fixtures",
    INSTRUCTIONS="Fixtures for the official MCP conformance suite.")

# A 1x1 transparent PNG and a tiny silent WAV file.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
WAV = base64.b64decode("UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=")


@conformance.tool
def test_simple_text() -> str:
    """Returns simple text content."""
    return "This is a simple text response for testing."


@conformance.tool
def test_image_content() -> Any:
    """Returns an image."""
    return image(PNG, "image/png")


@conformance.tool
def test_audio_content() -> Any:
    """Returns audio."""
    return audio(WAV, "audio/wav")


@conformance.tool
def test_embedded_resource() -> Any:
    """Returns an embedded resource."""
    return embedded_resource("test://embedded-resource", "This is an embedded resource content.",
                             "text/plain")


@conformance.tool
def test_multiple_content_types() -> Any:
    """Returns text, an image and a resource."""
    return [text("Multiple content types test:"), image(PNG, "image/png"),
            embedded_resource("test://mixed-content-resource",
                              '{"test": "data", "value": 123}', "application/json")]


@conformance.tool
async def test_tool_with_logging(ctx: Context) -> str:
    """Logs three messages while it runs."""
    for message in ("Tool execution started", "Tool processing data", "Tool execution completed"):
        await ctx.info(message)
        await asyncio.sleep(0.05)
    return "Logging test completed"


@conformance.tool
async def test_logging_tool(ctx: Context) -> str:
    """Logs at every level; nothing may reach a client that did not ask for logs."""
    for level in ("debug", "info", "warning", "error"):
        await ctx.log(level, f"{level} message from test_logging_tool")
    return "Logging tool completed"


@conformance.tool
async def test_tool_with_progress(ctx: Context) -> str:
    """Reports progress 0, 50 and 100 of 100."""
    for step in (0, 50, 100):
        await ctx.report_progress(step, 100, f"Completed step {step} of 100")
        await asyncio.sleep(0.05)
    return "Progress test completed"


@conformance.tool
def test_error_handling() -> Any:
    """Always fails, in band."""
    from mcp_django import ToolError

    raise ToolError("This tool intentionally returns an error for testing")


@conformance.tool
async def test_missing_capability(ctx: Context) -> str:
    """Needs sampling; without it the request fails with -32021."""
    if "sampling" not in ctx.client_capabilities:
        raise MissingCapability({"sampling": {}}, "This tool requires the sampling capability")
    return "The client declared sampling."


@conformance.tool
def test_x_mcp_header(region: Annotated[str, header_param("Region")], query: str = "") -> str:
    """Mirrors `region` in the Mcp-Param-Region header."""
    return f"Region {region}: {query}"


JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"address": {"$anchor": "addressDef", "type": "object", "properties": {
        "street": {"type": "string"}, "city": {"type": "string"}}}},
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


@conformance.tool(input_schema=JSON_SCHEMA_2020_12)
def json_schema_2020_12_tool(name: str = "", address: dict[str, Any] | None = None,
                             contactMethod: str | None = None, phone: str | None = None,
                             email: str | None = None) -> str:
    """Its input schema uses JSON Schema 2020-12 keywords, sent unchanged."""
    return f"Hello {name or 'anonymous'}"


@conformance.tool
async def echo(text: str) -> str:
    """Echo the text back (the benchmarks call this)."""
    return text


@conformance.tool
async def test_streaming_elicitation(ctx: Context) -> str:
    """Streams a progress notification, never a server-to-client request, then answers."""
    await ctx.report_progress(1, 1, "working")
    return "Streaming test completed without server-initiated requests."


@conformance.resource("test://static-text", name="static-text", mime_type="text/plain")
def static_text() -> str:
    """A static text resource."""
    return "This is the content of the static text resource."


@conformance.resource("test://static-binary", name="static-binary", mime_type="image/png")
def static_binary() -> bytes:
    """A static binary resource."""
    return PNG


@conformance.resource("test://template/{id}/data", name="template", mime_type="application/json")
def template_data(id: str) -> str:
    """A resource template."""
    return f'{{"id": "{id}", "templateTest": true, "data": "Data for ID: {id}"}}'


@conformance.resource("test://watched-resource", name="watched-resource", mime_type="text/plain")
def watched_resource() -> str:
    """A resource clients can subscribe to."""
    return "Watched resource content"


@conformance.prompt
def test_simple_prompt() -> str:
    """A prompt without arguments."""
    return "This is a simple prompt for testing."


@conformance.prompt(argument_descriptions={"arg1": "First test argument",
                                           "arg2": "Second test argument"})
def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with two required arguments."""
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@conformance.prompt(argument_descriptions={"resourceUri": "URI of the resource to embed"})
def test_prompt_with_embedded_resource(resourceUri: str) -> Any:
    """A prompt that embeds a resource."""
    return [user(embedded_resource(resourceUri, "Embedded resource content for testing.",
                                   "text/plain")),
            user("Please process the embedded resource above.")]


@conformance.prompt
def test_prompt_with_image() -> Any:
    """A prompt with an image."""
    return [user(image(PNG, "image/png")), user("Please analyze the image above.")]


@conformance.completion(prompt="test_prompt_with_arguments")
def complete_prompt_arguments(argument: str, value: str, context: dict[str, Any]) -> list[str]:
    options = ["paris", "park", "party"] if argument == "arg1" else ["one", "two"]
    return [option for option in options if option.startswith(value)]


__all__ = ["blob_contents", "conformance", "text_contents"]
