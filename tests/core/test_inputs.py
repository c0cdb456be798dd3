"""Input requests (elicitation, sampling, roots), answer checks and Context.ask in both eras."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from mcp_django.core.context import Context
from mcp_django.core.errors import InternalError, InvalidParams, MissingCapability
from mcp_django.core.inputs import (
    InputRequest,
    InputRequired,
    check_response,
    elicitation,
    request_binding,
    roots,
    sampling,
)
from mcp_django.core.versions import Era

MODERN = "2026-07-28"
ALL_CAPS = {"elicitation": {}, "sampling": {}, "roots": {}}
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}
ACCEPTED = {"action": "accept", "content": {"name": "Ada"}}
SAMPLED = {"role": "assistant", "content": {"type": "text", "text": "Paris"}, "model": "m"}
ROOTS = {"roots": [{"uri": "file:///home/ada", "name": "home"}]}


def modern_ctx(responses: dict[str, Any] | None = None, **fields: Any) -> Context:
    fields.setdefault("client_capabilities", dict(ALL_CAPS))
    return Context(1, "tools/call", Era.MODERN, MODERN, {"name": "t"},
                   input_responses=dict(responses or {}), **fields)


def legacy_ctx(**fields: Any) -> Context:
    fields.setdefault("client_capabilities", dict(ALL_CAPS))
    return Context(1, "tools/call", Era.LEGACY, "2025-06-18", {"name": "t"}, **fields)


class Asker:
    """A legacy asker: records what it was asked and answers from a table."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[Context, dict[str, InputRequest]]] = []

    async def __call__(self, ctx: Context, requests: dict[str, InputRequest]) -> dict[str, Any]:
        self.calls.append((ctx, requests))
        return {key: self.answers[key] for key in requests}


class FakeTask:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[dict[str, InputRequest]] = []

    async def ask(self, requests: dict[str, InputRequest]) -> list[tuple[str, Any]]:
        self.asked.append(requests)
        return [(key, self.answers[key]) for key in requests]  # any pairs; ask makes a dict


# -- constructors and wire shape ---------------------------------------------------------------


def test_methods_that_may_ask_for_input() -> None:
    from mcp_django.core.methods.standard import STANDARD_METHODS

    asking = {spec.name for spec in STANDARD_METHODS if spec.asks_input}
    assert asking == {"tools/call", "prompts/get", "resources/read"}


def test_elicitation_request() -> None:
    request = elicitation("Your name?", SCHEMA)
    assert request.capability == "elicitation"
    assert request.to_wire() == {"method": "elicitation/create",
                                 "params": {"message": "Your name?", "requestedSchema": SCHEMA}}


def test_sampling_from_a_string_wraps_a_user_text_message() -> None:
    request = sampling("Capital of France?", max_tokens=100, temperature=0.2)
    assert request.capability == "sampling"
    assert request.to_wire() == {"method": "sampling/createMessage", "params": {
        "messages": [{"role": "user", "content": {"type": "text", "text": "Capital of France?"}}],
        "maxTokens": 100, "temperature": 0.2}}


def test_sampling_keeps_explicit_messages_and_default_max_tokens() -> None:
    messages = [{"role": "user", "content": {"type": "text", "text": "hi"}},
                {"role": "assistant", "content": {"type": "text", "text": "hello"}}]
    request = sampling(messages)
    assert request.params == {"messages": messages, "maxTokens": 1000}


def test_roots_request() -> None:
    assert roots().to_wire() == {"method": "roots/list", "params": {}}
    assert roots().capability == "roots"


def test_input_required_carries_requests() -> None:
    requests = {"a": roots()}
    exc = InputRequired(requests)
    assert exc.requests is requests
    assert str(exc) == "input required"


# -- request_binding ---------------------------------------------------------------------------


def test_request_binding_for_tools_uses_name_and_argument_digest() -> None:
    binding = request_binding("tools/call", {"name": "t", "arguments": {"b": 2, "a": 1}}, "alice")
    digest = hashlib.sha256(json.dumps({"a": 1, "b": 2}, sort_keys=True).encode()).hexdigest()
    assert binding == {"p": "alice", "m": "tools/call", "n": "t", "a": digest[:32]}


def test_request_binding_ignores_argument_order_but_not_values() -> None:
    one = request_binding("tools/call", {"name": "t", "arguments": {"a": 1, "b": 2}}, "p")
    two = request_binding("tools/call", {"name": "t", "arguments": {"b": 2, "a": 1}}, "p")
    other = request_binding("tools/call", {"name": "t", "arguments": {"a": 1, "b": 3}}, "p")
    assert one == two
    assert one["a"] != other["a"]


def test_request_binding_without_arguments_equals_empty_arguments() -> None:
    assert (request_binding("prompts/get", {"name": "p"}, "x")
            == request_binding("prompts/get", {"name": "p", "arguments": None}, "x")
            == request_binding("prompts/get", {"name": "p", "arguments": {}}, "x"))


def test_request_binding_for_resources_uses_uri() -> None:
    binding = request_binding("resources/read", {"uri": "app://x", "name": "ignored"}, "p")
    assert binding["n"] == "app://x"
    assert binding["m"] == "resources/read"


# -- check_response ----------------------------------------------------------------------------


@pytest.mark.parametrize(("request_", "answer"), [
    (elicitation("?", SCHEMA), ACCEPTED),
    (elicitation("?", SCHEMA), {"action": "decline"}),
    (elicitation("?", SCHEMA), {"action": "cancel"}),
    (sampling("?"), SAMPLED),
    (sampling("?"), {"content": [{"type": "text", "text": "a"}]}),
    (roots(), ROOTS),
    (roots(), {"roots": []}),
], ids=["accept", "decline", "cancel", "sampling", "sampling-list", "roots", "no-roots"])
def test_check_response_accepts_valid_answers(request_: InputRequest, answer: Any) -> None:
    assert check_response(request_, answer) is answer


@pytest.mark.parametrize(("request_", "answer"), [
    (elicitation("?", SCHEMA), "accept"),
    (elicitation("?", SCHEMA), None),
    (elicitation("?", SCHEMA), {}),
    (elicitation("?", SCHEMA), {"action": "maybe"}),
    (sampling("?"), ["content"]),
    (sampling("?"), {"role": "assistant"}),
    (sampling("?"), {"content": "Paris"}),
    (roots(), {}),
    (roots(), {"roots": {"uri": "file:///"}}),
    (roots(), 3),
], ids=["elicit-str", "elicit-none", "elicit-no-action", "elicit-bad-action", "sample-list",
        "sample-no-content", "sample-str-content", "roots-missing", "roots-obj", "roots-int"])
def test_check_response_rejects_bad_shapes(request_: InputRequest, answer: Any) -> None:
    with pytest.raises(InvalidParams) as info:
        check_response(request_, answer)
    assert info.value.code == -32602
    assert "inputResponses" in info.value.message


# -- Context.ask: capabilities -----------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("make", [modern_ctx, legacy_ctx], ids=["modern", "legacy"])
@pytest.mark.parametrize(("request_", "capability"), [
    (elicitation("?", SCHEMA), "elicitation"), (sampling("?"), "sampling"), (roots(), "roots")])
async def test_ask_needs_the_declared_capability(make: Any, request_: InputRequest,
                                                 capability: str) -> None:
    others = {name: {} for name in ALL_CAPS if name != capability}
    asker = Asker({})
    ctx = make(client_capabilities=others, asker=asker)
    with pytest.raises(MissingCapability) as info:
        await ctx.ask({"k": request_})
    assert info.value.code == -32021
    assert info.value.data == {"requiredCapabilities": {capability: {}}}
    assert asker.calls == []


@pytest.mark.asyncio
async def test_missing_capability_is_checked_before_answers_are_used() -> None:
    ctx = modern_ctx({"k": ROOTS}, client_capabilities={"sampling": {}})
    with pytest.raises(MissingCapability):
        await ctx.ask({"k": roots()})
    assert ctx.answered == {}


# -- Context.ask: modern -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_modern_ask_without_answers_raises_input_required_with_all_requests() -> None:
    ctx = modern_ctx()
    requests = {"name": elicitation("?", SCHEMA), "capital": sampling("?"), "r": roots()}
    with pytest.raises(InputRequired) as info:
        await ctx.ask(requests)
    assert info.value.requests == requests
    assert ctx.answered == {}


@pytest.mark.asyncio
async def test_modern_ask_partially_answered_asks_only_for_the_rest() -> None:
    ctx = modern_ctx({"name": ACCEPTED})
    with pytest.raises(InputRequired) as info:
        await ctx.ask({"name": elicitation("?", SCHEMA), "capital": sampling("?")})
    assert list(info.value.requests) == ["capital"]
    assert ctx.answered == {"name": ACCEPTED}  # travels in requestState to the next round


@pytest.mark.asyncio
async def test_modern_ask_fully_answered_returns_answers() -> None:
    ctx = modern_ctx({"name": ACCEPTED, "capital": SAMPLED, "extra": {"ignored": True}})
    answers = await ctx.ask({"name": elicitation("?", SCHEMA), "capital": sampling("?")})
    assert answers == {"name": ACCEPTED, "capital": SAMPLED}
    assert ctx.answered == {"name": ACCEPTED, "capital": SAMPLED}


@pytest.mark.asyncio
async def test_modern_ask_with_a_bad_answer_is_invalid_params() -> None:
    ctx = modern_ctx({"name": {"action": "yes"}})
    with pytest.raises(InvalidParams):
        await ctx.ask({"name": elicitation("?", SCHEMA)})
    assert ctx.answered == {}


# -- Context.ask: legacy -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_legacy_ask_without_asker_is_internal_error() -> None:
    ctx = legacy_ctx()
    with pytest.raises(InternalError) as info:
        await ctx.ask({"k": roots()})
    assert info.value.code == -32603


@pytest.mark.asyncio
async def test_legacy_ask_uses_the_asker() -> None:
    asker = Asker({"name": ACCEPTED, "r": ROOTS})
    ctx = legacy_ctx(asker=asker, input_responses={"name": {"action": "decline"}})
    requests = {"name": elicitation("?", SCHEMA), "r": roots()}
    assert await ctx.ask(requests) == {"name": ACCEPTED, "r": ROOTS}
    [(seen_ctx, seen_requests)] = asker.calls
    assert seen_ctx is ctx
    assert seen_requests == requests


@pytest.mark.asyncio
@pytest.mark.parametrize("make", [modern_ctx, legacy_ctx], ids=["modern", "legacy"])
async def test_running_task_asks_through_the_task(make: Any) -> None:
    task = FakeTask({"name": ACCEPTED})
    asker = Asker({"name": {"action": "cancel"}})
    ctx = make(task=task, asker=asker)
    assert await ctx.ask({"name": elicitation("?", SCHEMA)}) == {"name": ACCEPTED}
    assert list(task.asked[0]) == ["name"]
    assert asker.calls == []


@pytest.mark.asyncio
async def test_running_task_still_needs_the_capability() -> None:
    task = FakeTask({})
    ctx = modern_ctx(task=task, client_capabilities={})
    with pytest.raises(MissingCapability):
        await ctx.ask({"r": roots()})
    assert task.asked == []


# -- elicit / sample / list_roots and key naming -----------------------------------------------


@pytest.mark.asyncio
async def test_default_keys_count_per_kind() -> None:
    asker = Asker({"elicitation": ACCEPTED, "elicitation_2": {"action": "decline"},
                   "elicitation_3": {"action": "cancel"}, "sampling": SAMPLED,
                   "sampling_2": SAMPLED, "roots": ROOTS, "mine": ACCEPTED})
    ctx = legacy_ctx(asker=asker)
    assert await ctx.elicit("a?", SCHEMA) == ACCEPTED
    assert await ctx.sample("q") == SAMPLED
    assert await ctx.elicit("b?", SCHEMA) == {"action": "decline"}
    assert await ctx.elicit("c?", SCHEMA, key="mine") == ACCEPTED  # explicit keys don't count
    assert await ctx.elicit("d?", SCHEMA) == {"action": "cancel"}
    assert await ctx.sample("q2", 50, key=None, temperature=0) == SAMPLED
    assert await ctx.list_roots() == ROOTS["roots"]
    keys = [next(iter(requests)) for _, requests in asker.calls]
    assert keys == ["elicitation", "sampling", "elicitation_2", "mine", "elicitation_3",
                    "sampling_2", "roots"]


@pytest.mark.asyncio
async def test_elicit_sends_message_and_schema() -> None:
    asker = Asker({"who": ACCEPTED})
    ctx = legacy_ctx(asker=asker)
    await ctx.elicit("Who?", SCHEMA, key="who")
    [(_, requests)] = asker.calls
    assert requests["who"] == elicitation("Who?", SCHEMA)


@pytest.mark.asyncio
async def test_sample_passes_max_tokens_and_params() -> None:
    asker = Asker({"s": SAMPLED})
    ctx = legacy_ctx(asker=asker)
    await ctx.sample("q", 42, key="s", systemPrompt="be brief")
    [(_, requests)] = asker.calls
    assert requests["s"] == sampling("q", 42, systemPrompt="be brief")


@pytest.mark.asyncio
async def test_list_roots_returns_the_roots_list_modern() -> None:
    ctx = modern_ctx({"roots": ROOTS})
    result = await ctx.list_roots()
    assert result == ROOTS["roots"]
    assert isinstance(result, list)


@pytest.mark.asyncio
async def test_modern_elicit_without_answer_raises_input_required_under_its_key() -> None:
    ctx = modern_ctx()
    with pytest.raises(InputRequired) as info:
        await ctx.elicit("?", SCHEMA)
    assert list(info.value.requests) == ["elicitation"]


@pytest.mark.asyncio
async def test_modern_keys_are_stable_across_rounds() -> None:
    """The handler runs again on the retry: the same calls must produce the same keys."""
    first = modern_ctx()
    await_keys = []
    for ctx in (first, modern_ctx({"elicitation": ACCEPTED})):
        try:
            await ctx.elicit("a?", SCHEMA)
            await ctx.elicit("b?", SCHEMA)
        except InputRequired as exc:
            await_keys.append(list(exc.requests))
    assert await_keys == [["elicitation"], ["elicitation_2"]]


# -- close_sse_stream --------------------------------------------------------------------------


def test_close_sse_stream_calls_the_hook() -> None:
    closed: list[bool] = []
    ctx = legacy_ctx(close_stream=lambda: closed.append(True))
    ctx.close_sse_stream()
    assert closed == [True]


def test_close_sse_stream_without_hook_does_nothing() -> None:
    ctx = legacy_ctx()
    assert ctx.close_stream is None
    ctx.close_sse_stream()
