"""The protocol core and the registry import neither Django nor Channels (STYLE §1, §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps(sorted(sys.modules)))
"""

CORE_MODULES = [
    "mcp_django.core",
    "mcp_django.core.dispatcher",
    "mcp_django.registry",
]


def imported_modules(*modules: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr
    return set(json.loads(completed.stdout))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


@pytest.mark.parametrize("module", CORE_MODULES + ["mcp_django.core.headers",
                                                   "mcp_django.core.methods.tools"])
def test_core_and_registry_import_no_django_or_channels(module: str) -> None:
    roots = top_level(imported_modules(module))
    assert "mcp_django" in roots
    assert "django" not in roots
    assert "channels" not in roots


def test_core_and_registry_together_import_no_django_or_channels() -> None:
    modules = imported_modules(*CORE_MODULES)
    assert "mcp_django.core.dispatcher" in modules
    assert "mcp_django.registry" in modules
    assert "django" not in modules
    assert "channels" not in modules
    assert not {m for m in modules if m.startswith(("django.", "channels.", "daphne"))}


def test_probe_would_see_django() -> None:
    """The probe is honest: importing Django does show up."""
    assert "django" in imported_modules("django")
