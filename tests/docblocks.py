"""The fenced code blocks of README.md and docs/*.md: where each is, its language, its marker."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPENING = re.compile(r"^(?P<indent>[ ]*)```(?P<language>[\w-]*)")
HEADING = re.compile(r"^(?P<level>#{1,6}) ")
# `<!-- illustrative: why it cannot run here -->` on the line right before a fence
MARKER = re.compile(r"<!-- illustrative: (?P<reason>[^>]+?) -->\s*\Z")
# `# path — how` (or `// path — how`) on a block's first line: the file it is and what to do
HEADER = re.compile(r"(?:#|//) (?P<path>[\w./-]+) — "
                    r"(?P<how>add at the end|the whole file|a new file)\b")
# Sections whose blocks another test runs for real, and that test (which reads the same
# section with `section()`): they are only compiled or parsed by tests/test_doc_blocks.py.
ELSEWHERE = {
    ("README.md", "## Ten-minute setup"): "tests/packaging/test_wheel.py",
    ("docs/testing.md", "## Your project"): "tests/test_testing_docs.py",
    ("docs/clients.md", "## Over HTTP"): "tests/e2e/test_http_clients.py",
}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    body: str
    reason: str | None  # why it is illustrative, or None: it is tested
    headings: tuple[str, ...]  # the headings it is under, outermost first

    @property
    def name(self) -> str:
        return str(self.page.relative_to(ROOT))

    @property
    def where(self) -> str:
        return f"{self.name}:{self.line}"

    @property
    def header(self) -> re.Match[str] | None:
        return HEADER.match(self.body)

    @property
    def elsewhere(self) -> str | None:
        """The test that runs this block, when it is not tests/test_doc_blocks.py."""
        return next((ELSEWHERE[(self.name, heading)] for heading in self.headings
                     if (self.name, heading) in ELSEWHERE), None)


def blocks(page: Path) -> list[Block]:
    lines = page.read_text().splitlines()
    found: list[Block] = []
    headings: list[str] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        opening = OPENING.match(line)
        heading = HEADING.match(line)
        if opening:
            end = next(n for n in range(number + 1, len(lines))
                       if lines[n].strip() == "```")
            body = textwrap.dedent("\n".join(lines[number + 1:end]) + "\n")
            marker = MARKER.search(lines[number - 1].strip()) if number else None
            found.append(Block(page, number + 1, opening["language"], body,
                               marker["reason"] if marker else None, tuple(headings)))
            number = end
        elif heading:
            level = len(heading["level"])
            headings = [h for h in headings if len(h.split(" ", 1)[0]) < level] + [line]
        number += 1
    return found


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in blocks(page)]


def section(page: Path, heading: str) -> list[Block]:
    """The blocks under `heading` (a line like `## Ten-minute setup`), in page order."""
    found = [block for block in blocks(page) if heading in block.headings]
    assert found, f"{page.name} has no blocks under {heading!r}"
    return found
