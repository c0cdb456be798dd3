"""mcp_django: serve the Model Context Protocol from a Django project."""

from .core.context import Context
from .core.errors import ToolError
from .registry import (
    audio,
    blob_contents,
    default_registry,
    embedded_resource,
    header_param,
    image,
    resource_link,
    text,
    text_contents,
)

__version__ = "0.1.0"

tool = default_registry.tool
resource = default_registry.resource
prompt = default_registry.prompt
completion = default_registry.completion

__all__ = [
    "Context",
    "ToolError",
    "__version__",
    "audio",
    "blob_contents",
    "completion",
    "embedded_resource",
    "header_param",
    "image",
    "prompt",
    "resource",
    "resource_link",
    "text",
    "text_contents",
    "tool",
]
