"""Multi-round requests (2026-07-28): input_required results, inputResponses and requestState."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from mcp_django.core.context import Context
from mcp_django.core.dispatcher import Dispatcher
from mcp_django.core.errors import InvalidParams
from mcp_django.core.inputs import InputRequired, elicitation, request_binding, roots, sampling
from mcp_django.core.versions import META_SERVER_INFO, Era
from mcp_django.registry import Registry
from tests.core.test_dispatcher import call, failed, make_dispatcher, ok, only_text

ALL_CAPS = {"elicitation": {}, "sampling": {}, "roots": {}}
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}
ACCEPTED = {"action": "accept", "content": {"name": "Ada"}}
SAMPLED = {"role": "assistant", "content": {"type": "text", "text": "Paris"}, "model": "m"}
ROOTS = {"roots": [{"uri": "file:///home/ada", "name": "home"}]}
KEY = b"test-key"


class FakeCodec:
    """requestState = base64(json).hmac — integrity-protected, nothing more."""

    def __init__(self, key: bytes = KEY) -> None:
        self.key = key
        self.sealed: list[dict[str, Any]] = []

    def _mac(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def seal(self, payload: dict[str, Any]) -> str:
        self.sealed.append(payload)
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def open(self, token: str) -> dict[str, Any]:
        body, _, mac = token.rpartition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidParams("Invalid requestState")
        return dict(json.loads(base64.urlsafe_b64decode(body)))


# -- registered functions ----------------------------------------------------------------------

runs: list[str] = []


async def greet_user(ctx: Context) -> str:
    answer = await ctx.elicit("Your name?", SCHEMA)
    return f"hello {answer['content']['name']}"


async def wizard(city: str, ctx: Context) -> str:
    """Two rounds: an elicitation, then sampling; keeps a counter in ctx.state."""
    ctx.state["rounds"] = ctx.state.get("rounds", 0) + 1
    name = await ctx.elicit("Your name?", SCHEMA)
    capital = await ctx.sample(f"Capital near {city}?")
    return f"{name['content']['name']}:{capital['content']['text']}:{ctx.state['rounds']}"


async def everything(ctx: Context) -> str:
    answers = await ctx.ask({"who": elicitation("Who?", SCHEMA), "what": sampling("What?"),
                             "where": roots()})
    return ",".join(sorted(answers))


async def roots_tool(ctx: Context) -> list[str]:
    return [root["uri"] for root in await ctx.list_roots()]


def sync_asker(ctx: Context) -> str:
    raise InputRequired({"r": roots()})


async def hello_prompt(ctx: Context) -> str:
    answer = await ctx.elicit("Name?", SCHEMA, key="name")
    return f"Say hello to {answer['content']['name']}"


async def roots_resource(ctx: Context) -> str:
    return " ".join(root["uri"] for root in await ctx.list_roots())


def complete_asking(argument: str, value: str, context: dict[str, Any]) -> list[str]:
    raise InputRequired({"r": roots()})


def build_registry() -> Registry:
    registry = Registry()
    for func in (greet_user, wizard, everything, roots_tool, sync_asker):
        registry.tool(func)
    registry.prompt(name="hello")(hello_prompt)
    registry.resource("app://roots")(roots_resource)
    registry.completion(prompt="hello")(complete_asking)
    return registry


@pytest.fixture
def dispatcher() -> Dispatcher:
    server = make_dispatcher(build_registry(), name="srv", version="1")
    server.state_codec = FakeCodec()
    return server


def tool(name: str, arguments: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, **extra}
    if arguments is not None:
        params["arguments"] = arguments
    return params


async def run(server: Dispatcher, method: str, params: dict[str, Any], **fields: Any
              ) -> Any:
    fields.setdefault("client_capabilities", dict(ALL_CAPS))
    return await call(server, method, params, **fields)


# -- input_required results --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_first_round_is_input_required(dispatcher: Dispatcher) -> None:
    result = ok(await run(dispatcher, "tools/call", tool("greet_user")))
    assert result["resultType"] == "input_required"
    assert result["inputRequests"] == {"elicitation": {
        "method": "elicitation/create",
        "params": {"message": "Your name?", "requestedSchema": SCHEMA}}}
    assert isinstance(result["requestState"], str)
    assert META_SERVER_INFO in result["_meta"]
    assert "content" not in result


@pytest.mark.asyncio
async def test_input_required_without_codec_has_no_request_state() -> None:
    server = make_dispatcher(build_registry())
    result = ok(await run(server, "tools/call", tool("greet_user")))
    assert result["resultType"] == "input_required"
    assert "requestState" not in result
    assert list(result["inputRequests"]) == ["elicitation"]


@pytest.mark.asyncio
async def test_answer_completes_the_call(dispatcher: Dispatcher) -> None:
    first = ok(await run(dispatcher, "tools/call", tool("greet_user")))
    result = ok(await run(dispatcher, "tools/call", tool(
        "greet_user", inputResponses={"elicitation": ACCEPTED},
        requestState=first["requestState"])))
    assert result["resultType"] == "complete"
    assert only_text(result) == "hello Ada"


@pytest.mark.asyncio
async def test_answer_without_request_state_is_accepted() -> None:
    """requestState is optional: a server without a codec still completes from inputResponses."""
    server = make_dispatcher(build_registry())
    result = ok(await run(server, "tools/call",
                          tool("greet_user", inputResponses={"elicitation": ACCEPTED})))
    assert only_text(result) == "hello Ada"


@pytest.mark.asyncio
async def test_several_inputs_in_one_round(dispatcher: Dispatcher) -> None:
    first = ok(await run(dispatcher, "tools/call", tool("everything")))
    assert first["inputRequests"] == {
        "who": {"method": "elicitation/create",
                "params": {"message": "Who?", "requestedSchema": SCHEMA}},
        "what": {"method": "sampling/createMessage", "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": "What?"}}],
            "maxTokens": 1000}},
        "where": {"method": "roots/list", "params": {}},
    }
    partial = ok(await run(dispatcher, "tools/call", tool(
        "everything", inputResponses={"who": ACCEPTED}, requestState=first["requestState"])))
    assert list(partial["inputRequests"]) == ["what", "where"]
    done = ok(await run(dispatcher, "tools/call", tool(
        "everything", inputResponses={"what": SAMPLED, "where": ROOTS},
        requestState=partial["requestState"])))
    assert only_text(done) == "what,where,who"


@pytest.mark.asyncio
async def test_answers_and_state_carry_across_rounds(dispatcher: Dispatcher) -> None:
    args = {"city": "Lyon"}
    first = ok(await run(dispatcher, "tools/call", tool("wizard", args)))
    assert list(first["inputRequests"]) == ["elicitation"]
    second = ok(await run(dispatcher, "tools/call", tool(
        "wizard", args, inputResponses={"elicitation": ACCEPTED},
        requestState=first["requestState"])))
    assert list(second["inputRequests"]) == ["sampling"]
    sealed = dispatcher.state_codec.sealed[-1]  # type: ignore[union-attr]
    assert sealed["i"] == {"elicitation": ACCEPTED}
    assert sealed["s"] == {"rounds": 2}
    assert sealed["b"] == request_binding("tools/call", tool("wizard", args), "anonymous")
    # the third round sends only the new answer: the first travels inside the sealed state
    third = ok(await run(dispatcher, "tools/call", tool(
        "wizard", args, inputResponses={"sampling": SAMPLED},
        requestState=second["requestState"])))
    assert third["resultType"] == "complete"
    assert only_text(third) == "Ada:Paris:3"


@pytest.mark.asyncio
async def test_new_answers_win_over_sealed_ones(dispatcher: Dispatcher) -> None:
    first = ok(await run(dispatcher, "tools/call", tool("wizard", {"city": "x"})))
    second = ok(await run(dispatcher, "tools/call", tool(
        "wizard", {"city": "x"}, inputResponses={"elicitation": ACCEPTED},
        requestState=first["requestState"])))
    other = {"action": "accept", "content": {"name": "Bob"}}
    third = ok(await run(dispatcher, "tools/call", tool(
        "wizard", {"city": "x"}, inputResponses={"elicitation": other, "sampling": SAMPLED},
        requestState=second["requestState"])))
    assert only_text(third).startswith("Bob:")


@pytest.mark.asyncio
async def test_request_states_are_not_repeated(dispatcher: Dispatcher) -> None:
    one = ok(await run(dispatcher, "tools/call", tool("greet_user")))
    two = ok(await run(dispatcher, "tools/call", tool("greet_user")))
    assert one["requestState"] != two["requestState"]


@pytest.mark.asyncio
async def test_prompts_get_is_multi_round(dispatcher: Dispatcher) -> None:
    first = ok(await run(dispatcher, "prompts/get", {"name": "hello"}))
    assert first["resultType"] == "input_required"
    assert list(first["inputRequests"]) == ["name"]
    done = ok(await run(dispatcher, "prompts/get", {
        "name": "hello", "inputResponses": {"name": ACCEPTED},
        "requestState": first["requestState"]}))
    assert done["messages"][0]["content"]["text"] == "Say hello to Ada"


@pytest.mark.asyncio
async def test_resources_read_is_multi_round(dispatcher: Dispatcher) -> None:
    first = ok(await run(dispatcher, "resources/read", {"uri": "app://roots"}))
    assert first["inputRequests"] == {"roots": {"method": "roots/list", "params": {}}}
    done = ok(await run(dispatcher, "resources/read", {
        "uri": "app://roots", "inputResponses": {"roots": ROOTS},
        "requestState": first["requestState"]}))
    assert done["contents"][0]["text"] == "file:///home/ada"


@pytest.mark.asyncio
async def test_sync_tool_raising_input_required_is_multi_round(dispatcher: Dispatcher) -> None:
    result = ok(await run(dispatcher, "tools/call", tool("sync_asker")))
    assert result["resultType"] == "input_required"


# -- bad answers -------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "responses"), [
    ("greet_user", {"elicitation": {"action": "sure"}}),
    ("greet_user", {"elicitation": "accept"}),
    ("wizard", {"elicitation": ACCEPTED, "sampling": {"content": "Paris"}}),
    ("roots_tool", {"roots": {"roots": "file:///"}}),
    ("roots_tool", {"roots": []}),
], ids=["elicit-action", "elicit-str", "sampling", "roots-str", "roots-list"])
async def test_badly_shaped_answers_are_invalid_params(dispatcher: Dispatcher, name: str,
                                                       responses: dict[str, Any]) -> None:
    args = {"city": "x"} if name == "wizard" else None
    error = failed(await run(dispatcher, "tools/call", tool(name, args,
                                                            inputResponses=responses)))
    assert error["code"] == -32602


@pytest.mark.asyncio
@pytest.mark.parametrize("responses", [[], "x", 1, [{"elicitation": ACCEPTED}]])
async def test_input_responses_must_be_an_object(dispatcher: Dispatcher, responses: Any) -> None:
    error = failed(await run(dispatcher, "tools/call",
                             tool("greet_user", inputResponses=responses)))
    assert error["code"] == -32602
    assert "inputResponses" in error["message"]


@pytest.mark.asyncio
async def test_null_input_responses_is_no_answers(dispatcher: Dispatcher) -> None:
    result = ok(await run(dispatcher, "tools/call", tool("greet_user", inputResponses=None)))
    assert result["resultType"] == "input_required"


@pytest.mark.asyncio
async def test_undeclared_capability_is_missing_capability(dispatcher: Dispatcher) -> None:
    reply = await run(dispatcher, "tools/call", tool("roots_tool"),
                      client_capabilities={"elicitation": {}})
    error = failed(reply)
    assert error["code"] == -32021
    assert error["data"] == {"requiredCapabilities": {"roots": {}}}
    assert reply.status == 400


# -- requestState binding ----------------------------------------------------------------------


async def first_state(server: Dispatcher, **fields: Any) -> str:
    return str(ok(await run(server, "tools/call", tool("wizard", {"city": "Lyon"}),
                            **fields))["requestState"])


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "params"), [
    ("tools/call", tool("wizard", {"city": "Paris"})),
    ("tools/call", tool("wizard", {"city": "Lyon", "extra": 1})),
    ("tools/call", tool("wizard")),
    ("tools/call", tool("greet_user", {"city": "Lyon"})),
    ("prompts/get", {"name": "wizard", "arguments": {"city": "Lyon"}}),
], ids=["other-args", "more-args", "no-args", "other-tool", "other-method"])
async def test_state_of_another_request_is_rejected(dispatcher: Dispatcher, method: str,
                                                    params: dict[str, Any]) -> None:
    token = await first_state(dispatcher)
    error = failed(await run(dispatcher, method, {**params, "requestState": token,
                                                  "inputResponses": {"elicitation": ACCEPTED}}))
    assert error["code"] == -32602


@pytest.mark.asyncio
async def test_state_of_another_principal_is_rejected(dispatcher: Dispatcher) -> None:
    token = await first_state(dispatcher, principal_key="alice")
    params = tool("wizard", {"city": "Lyon"}, requestState=token)
    error = failed(await run(dispatcher, "tools/call", params, principal_key="mallory"))
    assert error["code"] == -32602
    again = ok(await run(dispatcher, "tools/call", params, principal_key="alice"))
    assert again["resultType"] == "input_required"


@pytest.mark.asyncio
async def test_same_request_with_reordered_arguments_keeps_its_state(
        dispatcher: Dispatcher) -> None:
    server = dispatcher
    server.registry.tool(name="pair")(pair_tool)
    first = ok(await run(server, "tools/call", tool("pair", {"a": 1, "b": 2})))
    done = ok(await run(server, "tools/call", tool(
        "pair", {"b": 2, "a": 1}, inputResponses={"elicitation": ACCEPTED},
        requestState=first["requestState"])))
    assert done["structuredContent"] == {"result": 3}


async def pair_tool(a: int, b: int, ctx: Context) -> int:
    await ctx.elicit("?", SCHEMA)
    return a + b


@pytest.mark.asyncio
async def test_tampered_state_is_rejected(dispatcher: Dispatcher) -> None:
    token = await first_state(dispatcher)
    body, _, mac = token.rpartition(".")
    payload = json.loads(base64.urlsafe_b64decode(body))
    payload["i"] = {"elicitation": ACCEPTED}
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    error = failed(await run(dispatcher, "tools/call", tool(
        "wizard", {"city": "Lyon"}, requestState=f"{forged}.{mac}")))
    assert error["code"] == -32602


@pytest.mark.asyncio
async def test_state_sealed_with_a_foreign_key_is_rejected(dispatcher: Dispatcher) -> None:
    foreign = FakeCodec(b"other-key").seal({
        "b": request_binding("tools/call", tool("wizard", {"city": "Lyon"}), "anonymous"),
        "s": {}, "i": {"elicitation": ACCEPTED}})
    error = failed(await run(dispatcher, "tools/call", tool(
        "wizard", {"city": "Lyon"}, requestState=foreign)))
    assert error["code"] == -32602


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [123, {"s": {}}, ["x"], True])
async def test_non_string_state_is_rejected(dispatcher: Dispatcher, token: Any) -> None:
    error = failed(await run(dispatcher, "tools/call", tool("greet_user", requestState=token)))
    assert error["code"] == -32602


@pytest.mark.asyncio
async def test_state_without_a_codec_is_rejected() -> None:
    server = make_dispatcher(build_registry())
    error = failed(await run(server, "tools/call", tool("greet_user", requestState="abc.def")))
    assert error["code"] == -32602


@pytest.mark.asyncio
async def test_sealed_state_with_odd_fields_is_tolerated(dispatcher: Dispatcher) -> None:
    params = tool("wizard", {"city": "Lyon"})
    token = dispatcher.state_codec.seal({  # type: ignore[union-attr]
        "b": request_binding("tools/call", params, "anonymous"), "s": "junk", "i": ["junk"]})
    result = ok(await run(dispatcher, "tools/call", {**params, "requestState": token}))
    assert list(result["inputRequests"]) == ["elicitation"]
    assert dispatcher.state_codec.sealed[-1]["s"] == {"rounds": 1}  # type: ignore[union-attr]
    assert dispatcher.state_codec.sealed[-1]["i"] == {}  # type: ignore[union-attr]


# -- not multi-round ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_legacy_tools_call_ignores_input_responses(dispatcher: Dispatcher) -> None:
    """2025 sessions ask over SSE; without an asker, asking is an internal error."""
    error = failed(await run(dispatcher, "tools/call",
                             tool("greet_user", inputResponses={"elicitation": ACCEPTED}),
                             era=Era.LEGACY, version="2025-06-18"))
    assert error["code"] == -32603


@pytest.mark.asyncio
async def test_legacy_tools_call_uses_the_asker(dispatcher: Dispatcher) -> None:
    asked: list[list[str]] = []

    async def asker(ctx: Context, requests: dict[str, Any]) -> dict[str, Any]:
        asked.append(list(requests))
        return {"elicitation": ACCEPTED}

    result = ok(await run(dispatcher, "tools/call", tool("greet_user"), era=Era.LEGACY,
                          version="2025-06-18", asker=asker))
    assert only_text(result) == "hello Ada"
    assert asked == [["elicitation"]]
    assert "resultType" not in result


@pytest.mark.asyncio
async def test_legacy_input_required_from_a_tool_is_internal_error(
        dispatcher: Dispatcher, caplog: pytest.LogCaptureFixture) -> None:
    error = failed(await run(dispatcher, "tools/call", tool("sync_asker"), era=Era.LEGACY,
                             version="2025-06-18"))
    assert error["code"] == -32603
    assert "input" not in error["message"].lower()  # details are not exposed


@pytest.mark.asyncio
async def test_input_required_from_completion_is_not_input_required(
        dispatcher: Dispatcher) -> None:
    reply = await run(dispatcher, "completion/complete", {
        "ref": {"type": "ref/prompt", "name": "hello"},
        "argument": {"name": "x", "value": "y"}})
    error = failed(reply)
    assert error["code"] == -32603
    assert "inputRequests" not in str(reply.message)


@pytest.mark.asyncio
async def test_input_required_from_a_visibility_hook_is_not_input_required(
        dispatcher: Dispatcher) -> None:
    def hook(ctx: Context, spec: Any) -> bool:
        raise InputRequired({"r": roots()})

    dispatcher.visibility = hook
    reply = await run(dispatcher, "tools/list", {})
    assert failed(reply)["code"] == -32603
    assert "inputRequests" not in str(reply.message)


@pytest.mark.asyncio
async def test_input_responses_on_a_non_mrtr_method_are_ignored(dispatcher: Dispatcher) -> None:
    result = ok(await run(dispatcher, "tools/list", {"inputResponses": "not an object",
                                                     "requestState": 5}))
    assert {t["name"] for t in result["tools"]} >= {"greet_user", "wizard"}
