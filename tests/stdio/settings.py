"""The stdio children's settings: the test project's, plus the stdio fixture servers."""

import os

from tests.project.settings import *  # noqa: F403
from tests.project.settings import MCP_DJANGO as _BASE

ROOT_URLCONF = "tests.stdio.urls"
MCP_DJANGO = {**_BASE, "STDIO_USER": os.environ.get("MCP_STDIO_TEST_USER") or None}
