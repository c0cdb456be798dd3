"""PromptSpec: arguments with required flags and descriptions, definitions, message helpers."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Field

from mcp_django.core.context import Context
from mcp_django.core.errors import ConfigError
from mcp_django.registry import Registry, assistant, image, text, user
from mcp_django.registry.prompts import build_prompt, to_messages


def review_with_context(code: str, ctx: Context) -> str:
    return code


def bare() -> str:
    return "hi"


def test_arguments_required_flags_and_descriptions() -> None:
    """L-68: required arguments are flagged; descriptions come from Field metadata."""
    spec = build_prompt(review_with_context)
    assert spec.arguments() == [{"name": "code", "required": True}]


def test_arguments_with_field_description_and_default() -> None:
    def f(code: Annotated[str, Field(description="The code to review")],
          language: str = "python") -> str:
        return code

    spec = build_prompt(f, name="review")
    assert spec.arguments() == [
        {"name": "code", "required": True, "description": "The code to review"},
        {"name": "language", "required": False},
    ]


def test_argument_descriptions_option_overrides_field() -> None:
    def f(code: Annotated[str, Field(description="from field")], style: str = "") -> str:
        return code

    spec = build_prompt(f, argument_descriptions={"code": "from option", "style": "How"})
    assert spec.arguments() == [
        {"name": "code", "required": True, "description": "from option"},
        {"name": "style", "required": False, "description": "How"},
    ]


def test_context_parameter_is_not_an_argument() -> None:
    spec = build_prompt(review_with_context)
    assert spec.signature.context_param == "ctx"
    assert [a["name"] for a in spec.arguments()] == ["code"]


def test_definition() -> None:
    icons = [{"src": "https://e.example/p.png"}]

    def f(topic: str) -> str:
        """Explain a topic."""
        return topic

    spec = build_prompt(f, name="explain", title="Explain", icons=icons)
    assert spec.definition() == {
        "name": "explain", "title": "Explain", "description": "Explain a topic.",
        "icons": icons, "arguments": [{"name": "topic", "required": True}],
    }


def test_definition_minimal_has_empty_description_and_arguments() -> None:
    assert build_prompt(bare).definition() == {"name": "bare", "description": "",
                                               "arguments": []}


def test_explicit_description_wins() -> None:
    assert build_prompt(bare, description="Say hi").description == "Say hi"


def test_prompt_arguments_validate_strings() -> None:
    def f(topic: str, level: int = 1) -> str:
        return topic

    spec = build_prompt(f)
    assert spec.signature.validate({"topic": "x", "level": "3"}) == {"topic": "x", "level": 3}
    assert spec.signature.output_schema is None


# -- message helpers ---------------------------------------------------------------------------


def test_user_and_assistant_messages() -> None:
    picture = image(b"\x00", "image/png")
    assert user("hello") == {"role": "user", "content": {"type": "text", "text": "hello"}}
    assert assistant("ok") == {"role": "assistant", "content": {"type": "text", "text": "ok"}}
    assert user(picture) == {"role": "user", "content": picture}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("hi", [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                     id="str"),
        pytest.param(assistant("a"), [assistant("a")], id="one-message"),
        pytest.param(["q", assistant("a")], [user("q"), assistant("a")], id="list"),
        pytest.param(("q",), [user("q")], id="tuple"),
        pytest.param([], [], id="empty"),
    ],
)
def test_to_messages(value: Any, expected: list[dict[str, Any]]) -> None:
    assert to_messages(value) == expected


def test_text_content_in_message_is_a_content_block() -> None:
    assert user(text("x", annotations={"priority": 1}))["content"] == {
        "type": "text", "text": "x", "annotations": {"priority": 1}}


# -- registry ----------------------------------------------------------------------------------


def test_registry_prompt_decorator_records_duplicates_when_registered_twice() -> None:
    registry = Registry()
    heard: list[str] = []
    registry.listeners.append(heard.append)
    assert registry.prompt(bare) is bare
    assert registry.prompt(name="other", title="Other")(bare) is bare
    assert list(registry.prompts) == ["bare", "other"]
    assert registry.prompt(bare) is bare  # a duplicate is recorded for E004, not raised
    [problem] = registry.problems
    assert (problem.id, problem.message) == ("mcp_django.E004", (
        "Duplicate prompt 'bare': tests.registry.test_prompts.bare and "
        "tests.registry.test_prompts.bare (the first is kept)"))
    with pytest.raises(ConfigError, match="Duplicate prompt 'bare'"):
        registry.add_prompt(build_prompt(bare))  # the programmatic API still raises
    registry.remove_prompt("other")
    registry.remove_prompt("other")
    assert list(registry.prompts) == ["bare"]
    assert heard == ["prompts", "prompts", "prompts"]
