"""docs/testing.md's example, written literally into a new project made by the README's setup,
passes under pytest with no settings change (an in-memory test database, a token)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.docblocks import ROOT, Block, section
from tests.packaging.conftest import clean_env, run

VENV_BIN = Path(sys.executable).parent


def write(project: Path, block: Block) -> None:
    """The file a block names on its first line (`# path — how`), as the block says."""
    header = block.header
    assert header, f"{block.where}: no '# <file> — <what to do>' first line"
    path = project / header["path"]
    assert path.exists() == (header["how"] != "a new file"), (block.where, path)
    text = block.body if header["how"] != "add at the end" else (
        path.read_text() + "\n" + block.body)
    path.write_text(text)


def new_project(root: Path) -> Path:
    """`django-admin startproject` + `startapp`, then the README's files."""
    project = root / "site"
    project.mkdir()
    run([str(VENV_BIN / "django-admin"), "startproject", "myproject", "."], cwd=project)
    run([sys.executable, "manage.py", "startapp", "myapp"], cwd=project)
    for block in section(ROOT / "README.md", "## Ten-minute setup"):
        if block.language == "python" and block.header["path"] != "client.py":
            write(project, block)
    return project


def test_the_testing_example_passes_when_written_into_a_new_project(tmp_path):
    project = new_project(tmp_path)
    written = [block for block in section(ROOT / "docs/testing.md", "## Your project")
               if block.language in ("python", "ini")]
    assert [block.header["path"] for block in written] == ["pytest.ini", "conftest.py",
                                                           "test_mcp.py"]
    for block in written:
        write(project, block)
    env = clean_env(PATH=f"{VENV_BIN}:{clean_env()['PATH']}")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout, done.stdout
