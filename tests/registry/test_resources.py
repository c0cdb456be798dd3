"""Resources and URI templates: compile/match, build rules, definitions, lookup."""

from __future__ import annotations

import pytest

from mcp_django.core.context import Context
from mcp_django.core.errors import ConfigError
from mcp_django.registry import Registry, ResourceSpec, ResourceTemplateSpec
from mcp_django.registry.resources import build_resource, compile_template


def static() -> str:
    """Static text."""
    return "s"


def one(id: int) -> str:
    return str(id)


def two(user: str, post: str) -> str:
    return user + post


def path_reader(path: str, ctx: Context) -> str:
    return path


def optional_only(page: int = 1) -> str:
    return str(page)


# -- compile_template --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "uri", "expected"),
    [
        pytest.param("app://items/{id}", "app://items/42", {"id": "42"}, id="simple"),
        pytest.param("app://items/{id}", "app://items/a-b_c.d", {"id": "a-b_c.d"},
                     id="simple-punctuation"),
        pytest.param("app://items/{id}", "app://items/1/2", None, id="simple-no-slash"),
        pytest.param("app://items/{id}", "app://items/1?x", None, id="simple-no-query"),
        pytest.param("app://items/{id}", "app://items/1#f", None, id="simple-no-fragment"),
        pytest.param("app://items/{id}", "app://items/", None, id="simple-not-empty"),
        pytest.param("app://items/{id}", "xapp://items/1", None, id="anchored-start"),
        pytest.param("app://items/{id}/raw", "app://items/1/raw", {"id": "1"},
                     id="literal-suffix"),
        pytest.param("app://items/{id}/raw", "app://items/1/raw/x", None, id="anchored-end"),
        pytest.param("app://u/{user}/p/{post}", "app://u/ann/p/7", {"user": "ann", "post": "7"},
                     id="two-vars"),
        pytest.param("file:///{+path}", "file:///etc/hosts", {"path": "etc/hosts"},
                     id="reserved-slashes"),
        pytest.param("file:///{+path}", "file:///a/b?c#d", {"path": "a/b?c#d"},
                     id="reserved-query-fragment"),
        pytest.param("file:///{+path}", "file:///", None, id="reserved-not-empty"),
        pytest.param("repo://{owner}/{+path}", "repo://me/src/a.py",
                     {"owner": "me", "path": "src/a.py"}, id="mixed"),
        pytest.param("app://v1.0/{id}", "app://v1x0/5", None, id="literal-dot-escaped"),
        pytest.param("app://(x)/{id}", "app://(x)/5", {"id": "5"}, id="literal-parens-escaped"),
        pytest.param("app://a+b/{id}", "app://a+b/5", {"id": "5"}, id="literal-plus-escaped"),
        pytest.param("app://a+b/{id}", "app://aab/5", None, id="literal-plus-not-regex"),
    ],
)
def test_compile_template_matches(template: str, uri: str, expected: dict[str, str] | None
                                  ) -> None:
    found = compile_template(template).fullmatch(uri)
    assert (found.groupdict() if found else None) == expected


def test_compile_template_group_names() -> None:
    assert set(compile_template("x://{a}/{+b}").groupindex) == {"a", "b"}


# -- build_resource ----------------------------------------------------------------------------


def test_static_resource() -> None:
    spec = build_resource(static, "app://readme", mime_type="text/plain", size=3)
    assert type(spec) is ResourceSpec
    assert spec.name == "static"
    assert spec.description == "Static text."
    assert spec.definition() == {"uri": "app://readme", "name": "static",
                                 "description": "Static text.", "mimeType": "text/plain",
                                 "size": 3}


def test_static_resource_with_arguments_is_config_error() -> None:
    with pytest.raises(ConfigError, match="no URI variables"):
        build_resource(one, "app://static")


def test_static_resource_with_only_optional_arguments_is_config_error() -> None:
    with pytest.raises(ConfigError):
        build_resource(optional_only, "app://static")


@pytest.mark.parametrize(
    ("func", "uri"),
    [
        pytest.param(one, "app://items/{other}", id="wrong-name"),
        pytest.param(two, "app://u/{user}", id="one-of-two"),
        pytest.param(one, "app://items/{?id}", id="unsupported-operator"),
    ],
)
def test_template_missing_variable_is_config_error(func: object, uri: str) -> None:
    with pytest.raises(ConfigError, match="lacks variables"):
        build_resource(func, uri)  # type: ignore[arg-type]


def test_template_resource_matches_and_ignores_context_param() -> None:
    spec = build_resource(path_reader, "file:///{+path}", title="Files", mime_type="text/x")
    assert isinstance(spec, ResourceTemplateSpec)
    assert spec.signature.context_param == "ctx"
    assert spec.match("file:///a/b.txt") == {"path": "a/b.txt"}
    assert spec.match("http://a/b") is None
    assert spec.definition() == {"uriTemplate": "file:///{+path}", "name": "path_reader",
                                 "title": "Files", "mimeType": "text/x"}


def test_template_definition_has_no_uri_key() -> None:
    definition = build_resource(one, "app://items/{id}").definition()
    assert "uri" not in definition
    assert definition["uriTemplate"] == "app://items/{id}"


def test_resource_name_and_options() -> None:
    icons = [{"src": "https://e.example/r.png"}]
    spec = build_resource(static, "app://r", name="readme", title="Readme", icons=icons,
                          annotations={"audience": ["user"]}, description="Explicit")
    assert spec.definition() == {"uri": "app://r", "name": "readme", "title": "Readme",
                                 "description": "Explicit", "annotations": {"audience": ["user"]},
                                 "icons": icons}


# -- registry ----------------------------------------------------------------------------------


def test_registry_sorts_static_and_template_resources() -> None:
    registry = Registry()
    assert registry.resource("app://readme")(static) is static
    assert registry.resource("app://items/{id}")(one) is one
    assert list(registry.resources) == ["app://readme"]
    assert list(registry.templates) == ["app://items/{id}"]


@pytest.mark.parametrize(("uri", "func"), [("app://readme", static),
                                           ("app://items/{id}", one)],
                         ids=["static", "template"])
def test_duplicate_resource_is_recorded_when_decorated_twice(uri: str, func: object) -> None:
    registry = Registry()
    registry.resource(uri)(func)
    first = registry.find_resource(uri.replace("{id}", "1"))[0]  # type: ignore[index]
    assert registry.resource(uri, name="again")(func) is func
    [problem] = registry.problems
    assert problem.id == "mcp_django.E004" and problem.message.startswith("Duplicate resource")
    assert registry.find_resource(uri.replace("{id}", "1"))[0] is first  # the first stays


@pytest.mark.parametrize(("uri", "func"), [("app://readme", static),
                                           ("app://items/{id}", one)],
                         ids=["static", "template"])
def test_duplicate_resource_is_config_error_when_added_programmatically(uri: str, func: object
                                                                        ) -> None:
    registry = Registry()
    registry.add_resource(build_resource(func, uri))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="Duplicate resource"):
        registry.add_resource(build_resource(func, uri, name="again"))  # type: ignore[arg-type]


def test_invalid_template_is_recorded_naming_the_function_when_decorated() -> None:
    registry = Registry()
    registry.resource("app://items/{other}")(one)
    [problem] = registry.problems
    assert problem.message.startswith("tests.registry.test_resources.one: Resource template")
    assert not registry.templates


def test_find_resource() -> None:
    registry = Registry()
    registry.resource("app://items/{id}")(one)
    registry.resource("app://items/special")(static)
    heard: list[str] = []
    registry.listeners.append(heard.append)
    registry.resource("file:///{+path}")(path_reader)
    assert heard == ["resources"]
    static_spec, variables = registry.find_resource("app://items/special")
    assert static_spec.func is static
    assert variables == {}
    template_spec, variables = registry.find_resource("app://items/7")
    assert template_spec.func is one
    assert variables == {"id": "7"}
    assert registry.find_resource("file:///x/y")[1] == {"path": "x/y"}
    assert registry.find_resource("app://nothing") is None


def test_template_variables_are_percent_decoded() -> None:
    from mcp_django.registry import Registry

    registry = Registry()

    @registry.resource("app://items/{id}")
    def item(id: str) -> str:
        return id

    spec, variables = registry.find_resource("app://items/a%20b")
    assert variables == {"id": "a b"}


def test_template_repeating_a_variable_is_a_config_error() -> None:
    from mcp_django.core.errors import ConfigError
    from mcp_django.registry.resources import compile_template

    with pytest.raises(ConfigError):
        compile_template("app://{id}/{id}")
