"""What the built sdist and wheel contain, and the metadata an index page would show."""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser

import pytest

from tests.packaging.conftest import Dist, run

pytestmark = pytest.mark.packaging

NOT_SHIPPED = ("tests/", "benchmarks/", "demo_project/", "docs/", "scripts/")
CLASSIFIERS = {
    "Development Status :: 3 - Alpha",
    "Framework :: Django",
    "Framework :: Django :: 5.2",
    "Framework :: Django :: 6.0",
    "Framework :: Django :: 6.1",
    "Intended Audience :: Developers",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Internet :: WWW/HTTP",
    "Typing :: Typed",
}
TEMPLATE = "mcp_django/templates/admin/mcp_django/mcpsession/terminate_confirmation.html"


def wheel_names(dist: Dist) -> list[str]:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return wheel.namelist()


def sdist_names(dist: Dist) -> list[str]:
    """The sdist's members without their leading `<name>-<version>/` directory."""
    with tarfile.open(dist.sdist) as sdist:
        return [name.partition("/")[2] for name in sdist.getnames()]


def wheel_metadata(dist: Dist) -> Message:
    with zipfile.ZipFile(dist.wheel) as wheel:
        [path] = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
        return Parser().parsestr(wheel.read(path).decode())


def test_the_wheel_ships_py_typed_the_templates_and_the_license(dist: Dist) -> None:
    names = wheel_names(dist)
    assert "mcp_django/py.typed" in names
    assert TEMPLATE in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_the_sdist_ships_what_the_wheel_is_built_from(dist: Dist) -> None:
    names = sdist_names(dist)
    for required in ("LICENSE", "README.md", "pyproject.toml", "mcp_django/py.typed", TEMPLATE):
        assert required in names, required


@pytest.mark.parametrize("archive", ["wheel", "sdist"])
def test_no_tests_demo_docs_or_scripts_are_shipped(dist: Dist, archive: str) -> None:
    names = wheel_names(dist) if archive == "wheel" else sdist_names(dist)
    shipped = [name for name in names if name.startswith(NOT_SHIPPED)]
    assert shipped == []
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_metadata_has_the_license_classifiers_and_urls(dist: Dist) -> None:
    metadata = wheel_metadata(dist)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert CLASSIFIERS <= set(metadata.get_all("Classifier") or [])
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())


def test_no_extra_installs_the_unshipped_demo(dist: Dist) -> None:
    assert "demo" not in (wheel_metadata(dist).get_all("Provides-Extra") or [])


def test_the_long_description_links_only_absolute_urls(dist: Dist) -> None:
    """An index page has no docs/ next to it: a relative link there is dead."""
    description = wheel_metadata(dist).get_payload()
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert targets, "the README has no links at all"
    assert [target for target in targets if not target.startswith(("https://", "#"))] == []


def test_twine_accepts_both_archives(dist: Dist) -> None:
    run([sys.executable, "-m", "twine", "check", "--strict", str(dist.sdist), str(dist.wheel)])
