"""Content helpers: block shapes, base64 for bytes, and return-value → content lists."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mcp_django.registry.content import (
    Content,
    ResourceContents,
    audio,
    blob_contents,
    embedded_resource,
    image,
    resource_link,
    text,
    text_contents,
    to_content_list,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\xff"
PNG_B64 = base64.b64encode(PNG).decode()


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        pytest.param(text("hi"), {"type": "text", "text": "hi"}, id="text"),
        pytest.param(text("hi", annotations={"audience": ["user"]}),
                     {"type": "text", "text": "hi", "annotations": {"audience": ["user"]}},
                     id="text-annotations"),
        pytest.param(image(PNG), {"type": "image", "data": PNG_B64, "mimeType": "image/png"},
                     id="image-bytes-default-mime"),
        pytest.param(image(PNG, "image/webp", annotations={"priority": 0.5}),
                     {"type": "image", "data": PNG_B64, "mimeType": "image/webp",
                      "annotations": {"priority": 0.5}}, id="image-annotations"),
        pytest.param(image("QUJD", "image/gif"),
                     {"type": "image", "data": "QUJD", "mimeType": "image/gif"},
                     id="image-base64-text-passes-through"),
        pytest.param(audio(b"RIFF"), {"type": "audio", "data": "UklGRg==",
                                      "mimeType": "audio/wav"}, id="audio-bytes"),
        pytest.param(audio("UklGRg==", "audio/ogg"), {"type": "audio", "data": "UklGRg==",
                                                      "mimeType": "audio/ogg"}, id="audio-text"),
        pytest.param(embedded_resource("app://a", "body", "text/markdown"),
                     {"type": "resource", "resource": {"uri": "app://a", "text": "body",
                                                       "mimeType": "text/markdown"}},
                     id="embedded-text"),
        pytest.param(embedded_resource("app://b", PNG, "image/png",
                                       annotations={"priority": 1}),
                     {"type": "resource", "resource": {"uri": "app://b", "blob": PNG_B64,
                                                       "mimeType": "image/png"},
                      "annotations": {"priority": 1}}, id="embedded-blob"),
        pytest.param(embedded_resource("app://c", b"x"),
                     {"type": "resource", "resource": {"uri": "app://c", "blob": "eA=="}},
                     id="embedded-blob-no-mime"),
        pytest.param(resource_link("app://r", "r"),
                     {"type": "resource_link", "uri": "app://r", "name": "r"},
                     id="link-minimal"),
        pytest.param(resource_link("app://r", "r", description="d", mime_type="text/plain",
                                   title="R"),
                     {"type": "resource_link", "uri": "app://r", "name": "r", "description": "d",
                      "mimeType": "text/plain", "title": "R"}, id="link-full"),
    ],
)
def test_content_block_shapes(block: Content, expected: dict[str, Any]) -> None:
    assert isinstance(block, Content)
    assert isinstance(block, dict)
    assert block == expected


def test_embedded_resource_body_is_a_plain_dict() -> None:
    block = embedded_resource("app://a", "x")
    assert type(block["resource"]) is dict


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        pytest.param(text_contents("app://x", "hi"),
                     {"uri": "app://x", "text": "hi", "mimeType": "text/plain"}, id="text"),
        pytest.param(text_contents("app://x", "hi", "text/csv"),
                     {"uri": "app://x", "text": "hi", "mimeType": "text/csv"}, id="text-mime"),
        pytest.param(text_contents("app://x", "hi", None), {"uri": "app://x", "text": "hi"},
                     id="text-no-mime"),
        pytest.param(blob_contents("app://b", PNG, "image/png"),
                     {"uri": "app://b", "blob": PNG_B64, "mimeType": "image/png"},
                     id="blob-bytes"),
        pytest.param(blob_contents("app://b", b""), {"uri": "app://b", "blob": ""},
                     id="blob-empty-no-mime"),
        pytest.param(blob_contents("app://b", "AAEC"), {"uri": "app://b", "blob": "AAEC"},
                     id="blob-base64-text-passes-through"),
    ],
)
def test_resource_contents_shapes(contents: ResourceContents, expected: dict[str, Any]) -> None:
    """L-67: contents are `text` or base64 `blob`."""
    assert isinstance(contents, ResourceContents)
    assert contents == expected


def test_blob_is_standard_base64_that_round_trips() -> None:
    data = bytes(range(256))
    blob = blob_contents("app://b", data)["blob"]
    assert base64.b64decode(blob, validate=True) == data
    assert "-" not in blob and "_" not in blob


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("hi", [{"type": "text", "text": "hi"}], id="str"),
        pytest.param("", [{"type": "text", "text": ""}], id="empty-str"),
        pytest.param(text("a"), [{"type": "text", "text": "a"}], id="one-block"),
        pytest.param([text("a"), image(b"x")], [text("a"), image(b"x")], id="list-of-blocks"),
        pytest.param((text("a"),), [text("a")], id="tuple-of-blocks"),
        pytest.param([], None, id="empty-list"),
        pytest.param([text("a"), "b"], None, id="mixed-list"),
        pytest.param({"type": "text", "text": "plain dict"}, None, id="plain-dict-not-content"),
        pytest.param(5, None, id="int"),
        pytest.param(None, None, id="none"),
    ],
)
def test_to_content_list(value: Any, expected: list[dict[str, Any]] | None) -> None:
    result = to_content_list(value)
    assert result == expected
    if expected is not None:
        assert isinstance(result, list)
