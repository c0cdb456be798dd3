"""What a server exposes: tools, resources, prompts and completions. No Django imports."""

from .base import Registry
from .content import (
    audio,
    blob_contents,
    embedded_resource,
    image,
    resource_link,
    text,
    text_contents,
)
from .prompts import PromptSpec, assistant, user
from .resources import ResourceSpec, ResourceTemplateSpec
from .signature import header_param
from .tools import ToolSpec

__all__ = [
    "PromptSpec",
    "Registry",
    "ResourceSpec",
    "ResourceTemplateSpec",
    "ToolSpec",
    "assistant",
    "audio",
    "blob_contents",
    "embedded_resource",
    "header_param",
    "image",
    "resource_link",
    "text",
    "text_contents",
    "user",
]

default_registry = Registry()
"""The registry of the default server; module-level decorators register here."""
