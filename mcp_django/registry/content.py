"""Content helpers: the blocks a tool, prompt or resource can return."""

from __future__ import annotations

import base64
from typing import Any


class Content(dict):  # type: ignore[type-arg]
    """A content block (`{"type": ...}`); a dict, tagged so results can recognise it."""


class ResourceContents(dict):  # type: ignore[type-arg]
    """One entry of `resources/read` contents."""


def _b64(data: bytes | str) -> str:
    return data if isinstance(data, str) else base64.b64encode(data).decode("ascii")


def _with(block: dict[str, Any], **optional: Any) -> dict[str, Any]:
    block.update({key: value for key, value in optional.items() if value is not None})
    return block


def text(value: str, *, annotations: dict[str, Any] | None = None) -> Content:
    """A text block: `text("hello")`."""
    return Content(_with({"type": "text", "text": value}, annotations=annotations))


def image(data: bytes | str, mime_type: str = "image/png", **kw: Any) -> Content:
    """An image block from raw bytes (or base64 text): `image(png_bytes, "image/png")`."""
    block = {"type": "image", "data": _b64(data), "mimeType": mime_type}
    return Content(_with(block, annotations=kw.get("annotations")))


def audio(data: bytes | str, mime_type: str = "audio/wav", **kw: Any) -> Content:
    """An audio block from raw bytes (or base64 text): `audio(wav_bytes, "audio/wav")`."""
    block = {"type": "audio", "data": _b64(data), "mimeType": mime_type}
    return Content(_with(block, annotations=kw.get("annotations")))


def text_contents(uri: str, value: str, mime_type: str | None = "text/plain") -> ResourceContents:
    """Text contents of a resource: `text_contents("app://x", "hi")`."""
    return ResourceContents(_with({"uri": uri, "text": value}, mimeType=mime_type))


def blob_contents(uri: str, data: bytes | str, mime_type: str | None = None) -> ResourceContents:
    """Binary contents of a resource, base64-encoded on the wire."""
    return ResourceContents(_with({"uri": uri, "blob": _b64(data)}, mimeType=mime_type))


def embedded_resource(
    uri: str,
    value: str | bytes,
    mime_type: str | None = None,
    *,
    annotations: dict[str, Any] | None = None,
) -> Content:
    """A resource embedded in a result: text when `value` is str, blob when bytes."""
    contents = text_contents(uri, value, mime_type) if isinstance(value, str) else blob_contents(
        uri, value, mime_type
    )
    return Content(_with({"type": "resource", "resource": dict(contents)}, annotations=annotations))


def resource_link(
    uri: str, name: str, *, description: str | None = None, mime_type: str | None = None, **kw: Any
) -> Content:
    """A link to a resource the client may read later (2025-06-18 and newer)."""
    block = {"type": "resource_link", "uri": uri, "name": name}
    return Content(
        _with(block, description=description, mimeType=mime_type, title=kw.get("title"))
    )


def to_content_list(value: Any) -> list[dict[str, Any]] | None:
    """Content blocks for a handler's return value, or None when it is not content."""
    if isinstance(value, str):
        return [text(value)]
    if isinstance(value, Content):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Content) for v in value):
        return list(value)
    return None
