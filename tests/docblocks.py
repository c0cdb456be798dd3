"""The fenced code blocks of README.md and docs/*.md: where each is, its language, its marker."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<language>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```"
                   r"[ \t]*$", re.MULTILINE | re.DOTALL)
# `<!-- illustrative: why it cannot run here -->` on the line right before a fence
MARKER = re.compile(r"<!-- illustrative: (?P<reason>[^>]+?) -->\s*\Z")
# `# path — how` on a block's first line: the file it is and what to do with it
HEADER = re.compile(r"# (?P<path>[\w./-]+) — (?P<how>add at the end|the whole file|a new file)\b")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    body: str
    reason: str | None  # why it is illustrative, or None: it is tested

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def header(self) -> re.Match[str] | None:
        return HEADER.match(self.body)


def blocks(page: Path, text: str | None = None, offset: int = 0) -> list[Block]:
    text = page.read_text() if text is None else text
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before.strip())
        line = offset + text.count("\n", 0, match.start()) + 1
        body = textwrap.dedent(match["body"]) if match["indent"] else match["body"]
        found.append(Block(page, line, match["language"], body,
                           marker["reason"] if marker else None))
    return found


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in blocks(page)]


def section(page: Path, heading: str) -> list[Block]:
    """The blocks under `heading` (a line like `## Ten-minute setup`) up to the next heading of
    the same or a higher level (`#` lines inside code blocks are not headings)."""
    level = len(heading.split(" ", 1)[0])
    lines, inside, start, end = page.read_text().splitlines(), False, None, None
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            inside = not inside
        elif not inside and line == heading:
            start = number
        elif not inside and start is not None and re.match(rf"#{{1,{level}}} ", line):
            end = number
            break
    assert start is not None, f"{page.name} has no {heading!r}"
    return blocks(page, "\n".join(lines[start:end]) + "\n", start)
