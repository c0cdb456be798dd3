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
    INSTRUCTIONS="Fixtures for the official MCP conformance suite.", ALLOW_ANONYMOUS=True,
    ANONYMOUS_TASKS=True)

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


# -- asking the client: legacy sessions (SSE requests) ---------------------------------------
def _text_of(sampled: dict[str, Any]) -> str:
    content = sampled.get("content")
    blocks = content if isinstance(content, list) else [content]
    return " ".join(b.get("text", "") for b in blocks if isinstance(b, dict))


@conformance.tool
async def test_sampling(prompt: str, ctx: Context) -> str:
    """Asks the client's model to answer `prompt`."""
    sampled = await ctx.sample(prompt, max_tokens=100)
    return f"LLM response: {_text_of(sampled)}"


@conformance.tool
async def test_elicitation(message: str, ctx: Context) -> str:
    """Asks the user for a username and an email address."""
    answer = await ctx.elicit(message, {
        "type": "object",
        "properties": {"username": {"type": "string", "description": "User's response"},
                       "email": {"type": "string", "description": "User's email address"}},
        "required": ["username", "email"]})
    return f"User response: action={answer['action']}, content={answer.get('content')}"


@conformance.tool
async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    """Elicits a form whose fields all have defaults (SEP-1034)."""
    answer = await ctx.elicit("Please review and update the form fields with defaults", {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {"type": "string", "description": "User status",
                       "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "description": "Verification status",
                         "default": True},
        },
        "required": []})
    return f"Elicitation completed: action={answer['action']}, content={answer.get('content')}"


@conformance.tool
async def test_elicitation_sep1330_enums(ctx: Context) -> str:
    """Elicits the five enum forms of SEP-1330."""
    options = ["option1", "option2", "option3"]
    answer = await ctx.elicit("Please select options from the enum fields", {
        "type": "object",
        "properties": {
            "untitledSingle": {"type": "string", "description": "Untitled single", "enum": options},
            "titledSingle": {"type": "string", "description": "Titled single", "oneOf": [
                {"const": "value1", "title": "First Option"},
                {"const": "value2", "title": "Second Option"},
                {"const": "value3", "title": "Third Option"}]},
            "legacyEnum": {"type": "string", "description": "Legacy titled enum",
                           "enum": ["opt1", "opt2", "opt3"],
                           "enumNames": ["Option One", "Option Two", "Option Three"]},
            "untitledMulti": {"type": "array", "description": "Untitled multi",
                              "minItems": 1, "maxItems": 3,
                              "items": {"type": "string", "enum": options}},
            "titledMulti": {"type": "array", "description": "Titled multi",
                            "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                                {"const": "value1", "title": "First Choice"},
                                {"const": "value2", "title": "Second Choice"},
                                {"const": "value3", "title": "Third Choice"}]}},
        },
        "required": []})
    return f"Elicitation completed: action={answer['action']}, content={answer.get('content')}"


# -- asking the client: 2026-07-28 multi-round requests ---------------------------------------
NAME_FORM = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
CONFIRM_FORM = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


@conformance.tool
async def test_input_required_result_elicitation(ctx: Context) -> str:
    """Asks for the user's name (key `user_name`), then greets."""
    answer = await ctx.elicit("What is your name?", NAME_FORM, key="user_name")
    return f"Hello, {(answer.get('content') or {}).get('name', 'stranger')}!"


@conformance.tool
async def test_input_required_result_sampling(ctx: Context) -> str:
    """Asks the client's model a question (key `capital_question`)."""
    sampled = await ctx.sample("What is the capital of France?", max_tokens=100,
                               key="capital_question")
    return f"The model said: {_text_of(sampled)}"


@conformance.tool
async def test_input_required_result_list_roots(ctx: Context) -> str:
    """Asks for the client's roots (key `client_roots`)."""
    found = await ctx.list_roots(key="client_roots")
    return f"Found {len(found)} root(s): " + ", ".join(r.get("uri", "") for r in found)


@conformance.tool
async def test_input_required_result_request_state(ctx: Context) -> str:
    """Asks for confirmation and carries its own state in requestState."""
    ctx.state.setdefault("asked_for", "confirmation")
    answer = await ctx.elicit("Please confirm", CONFIRM_FORM, key="confirm")
    confirmed = (answer.get("content") or {}).get("ok") is True
    if ctx.state.get("asked_for") == "confirmation" and confirmed:
        return "state-ok: confirmed"
    return "not confirmed"


@conformance.tool
async def test_input_required_result_multiple_inputs(ctx: Context) -> str:
    """Asks for a name, a sampled greeting and the roots in one round."""
    from mcp_django.core.inputs import elicitation, roots, sampling

    answers = await ctx.ask({
        "user_name": elicitation("What is your name?", NAME_FORM),
        "greeting": sampling("Generate a greeting", max_tokens=50),
        "client_roots": roots(),
    })
    name = (answers["user_name"].get("content") or {}).get("name")
    return (f"{_text_of(answers['greeting'])} {name}; "
            f"{len(answers['client_roots']['roots'])} root(s)")


@conformance.tool
async def test_input_required_result_multi_round(ctx: Context) -> str:
    """Two rounds of questions, then an answer."""
    first = await ctx.elicit("Step 1: What is your name?", NAME_FORM, key="step1")
    second = await ctx.elicit("Step 2: What is your favorite color?", {
        "type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]},
        key="step2")
    name = (first.get("content") or {}).get("name")
    color = (second.get("content") or {}).get("color")
    return f"{name} likes {color}."


@conformance.tool
async def test_input_required_result_tampered_state(ctx: Context) -> str:
    """Asks for confirmation; a tampered requestState is rejected."""
    answer = await ctx.elicit("Please confirm", CONFIRM_FORM, key="confirm")
    return f"confirmed={(answer.get('content') or {}).get('ok')}"


@conformance.tool
async def test_input_required_result_capabilities(ctx: Context) -> str:
    """Asks only for what the client declared."""
    from mcp_django.core.inputs import elicitation, roots, sampling

    wanted = {"sampling": ("question", sampling("Say hello", max_tokens=20)),
              "elicitation": ("user_name", elicitation("What is your name?", NAME_FORM)),
              "roots": ("client_roots", roots())}
    requests = dict(pair for cap, pair in wanted.items() if cap in ctx.client_capabilities)
    if not requests:
        raise MissingCapability({"sampling": {}})
    answers = await ctx.ask(requests)
    return f"Received {len(answers)} answer(s)"


@conformance.prompt
async def test_input_required_result_prompt(ctx: Context) -> Any:
    """A prompt that first asks the user for context (key `user_context`)."""
    answer = await ctx.elicit("What context should the prompt use?", {
        "type": "object", "properties": {"context": {"type": "string"}},
        "required": ["context"]}, key="user_context")
    return f"Use this context: {(answer.get('content') or {}).get('context', '')}"


@conformance.tool
async def test_reconnection(ctx: Context) -> str:
    """Closes its SSE stream mid-call (SEP-1699); the result arrives on the GET resume."""
    await ctx.info("Closing the stream; reconnect with Last-Event-ID")
    ctx.close_sse_stream()
    await asyncio.sleep(0.3)
    return "Reconnection test completed successfully"


# -- list-change triggers -------------------------------------------------------------------
def dynamic_tool() -> str:
    """A tool that comes and goes (test_trigger_tool_change)."""
    return "I exist for now."


def dynamic_prompt() -> str:
    """A prompt that comes and goes (test_trigger_prompt_change)."""
    return "I exist for now."


@conformance.tool
def test_trigger_tool_change() -> str:
    """Adds or removes `test_dynamic_tool`; listeners get tools/list_changed."""
    from mcp_django.registry import ToolSpec

    if "test_dynamic_tool" in conformance.registry.tools:
        conformance.registry.remove_tool("test_dynamic_tool")
        return "Removed test_dynamic_tool"
    conformance.registry.add_tool(ToolSpec.build(dynamic_tool, name="test_dynamic_tool"))
    return "Added test_dynamic_tool"


@conformance.tool
def test_trigger_prompt_change() -> str:
    """Adds or removes `test_dynamic_prompt`; listeners get prompts/list_changed."""
    from mcp_django.registry.prompts import build_prompt

    if "test_dynamic_prompt" in conformance.registry.prompts:
        conformance.registry.remove_prompt("test_dynamic_prompt")
        return "Removed test_dynamic_prompt"
    conformance.registry.add_prompt(build_prompt(dynamic_prompt, name="test_dynamic_prompt"))
    return "Added test_dynamic_prompt"


@conformance.tool
def test_trigger_resource_update(uri: str = "test://watched-resource") -> str:
    """Announces that a resource changed; subscribers get notifications/resources/updated."""
    conformance.notify_resource_updated(uri)
    return f"Updated {uri}"


# -- tasks (io.modelcontextprotocol/tasks) -----------------------------------------------------
@conformance.tool
def greet(name: str) -> str:
    """Greets synchronously (never a task)."""
    return f"Hello, {name}!"


@conformance.tool(task="optional")
async def slow_compute(seconds: float = 1.0, label: str = "job", ctx: Context | None = None
                       ) -> str:
    """Works for `seconds`; slow calls become tasks for clients with the tasks extension."""
    await asyncio.sleep(seconds)
    return f"{label} finished after {seconds} s"


@conformance.tool(task="required")
async def failing_job() -> Any:
    """Always a task; ends as a completed task with an isError result."""
    from mcp_django import ToolError

    await asyncio.sleep(1.0)
    raise ToolError("The job failed on purpose")


@conformance.tool(task="required")
async def protocol_error_job() -> str:
    """Always a task; ends failed with a JSON-RPC error."""
    from mcp_django.core.errors import InvalidParams

    await asyncio.sleep(0.3)
    raise InvalidParams("protocol_error_job always fails with a protocol error")


@conformance.tool(task="required")
async def confirm_delete(filename: str, ctx: Context) -> str:
    """A task that waits for the user's confirmation before it deletes (nothing, really)."""
    answer = await ctx.elicit(f"Delete {filename}?", {
        "type": "object", "properties": {"confirm": {"type": "boolean"}},
        "required": ["confirm"]}, key="confirm")
    confirmed = answer.get("action") == "accept" and (answer.get("content") or {}).get("confirm")
    return f"Deleted {filename}" if confirmed else f"Kept {filename}"


@conformance.tool(task="required")
async def multi_input(ctx: Context) -> str:
    """A task asking two questions at once."""
    from mcp_django.core.inputs import elicitation

    form = {"type": "object", "properties": {"name": {"type": "string"},
                                             "confirm": {"type": "boolean"}}}
    answers = await ctx.ask({"first": elicitation("First question", form),
                             "second": elicitation("Second question", form)})
    names = [(a.get("content") or {}).get("name") for a in answers.values()]
    return f"Answers: {names}"


@conformance.tool(task="optional")
async def test_tool_with_task(ctx: Context) -> str:
    """Asks for a name first (a multi-round request), then works long enough to become a task."""
    answer = await ctx.elicit("What is your name?", NAME_FORM, key="user_name")
    await asyncio.sleep(1.0)
    return f"Task finished for {(answer.get('content') or {}).get('name')}"


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
