"""The ASGI application of a LiveServer child: the project's own, on the parent's databases."""

from __future__ import annotations

import json
import os
from importlib import import_module
from typing import Any

DATABASES_ENV = "MCP_LIVE_DATABASES"  # {"alias": "NAME"}: the test databases the parent made
APPLICATION_ENV = "MCP_LIVE_APPLICATION"  # "package.module:attribute"


def use_databases(names: dict[str, str]) -> None:
    """Point each database alias at the parent's test database, before any connection opens."""
    from django.conf import settings

    for alias, name in names.items():
        settings.DATABASES[alias]["NAME"] = name


def load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(import_module(module), attribute or "application")


use_databases(json.loads(os.environ.get(DATABASES_ENV) or "{}"))
application = load(os.environ[APPLICATION_ENV])
