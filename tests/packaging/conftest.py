"""The sdist and wheel, built once per test session from the working tree with `python -m build`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what pytest, Django or coverage put there."""
    dropped = ("DJANGO_", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "COVERAGE", "MCP_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    return {**env, **extra}


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a command to completion; a non-zero exit fails the test with its output."""
    kwargs.setdefault("env", clean_env())
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build`: the sdist, then the wheel built from that sdist (as `make dist`)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(out.iterdir())
    return Dist(sdists[0], wheels[0])
