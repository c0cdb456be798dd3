"""Settings for running the docs' Python blocks: the test project with nothing autodiscovered."""

from tests.project.settings import *  # noqa: F403
from tests.project.settings import MCP_DJANGO

ROOT_URLCONF = "tests.docs_urls"
MCP_DJANGO = {**MCP_DJANGO, "AUTODISCOVER_MODULE": "no_module_of_this_name"}
