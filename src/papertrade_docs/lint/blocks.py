"""A page's shell blocks as one script for shellcheck.

Fences are found by the runner's own finder (`execdocs.fences`), so lint sees exactly
the blocks the tests execute: under admonitions and content tabs, and hidden ones. A
page runs top to bottom in one shell session, so its bash/sh/shell blocks are checked
together, in order: a variable set in one block is known in the next. Every script
line remembers the page line it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from execdocs import SHELL_LANGUAGES, Fence, Origin, find_fences

MACRO = re.compile(r"\{\{.*?\}\}")
SNIPPET = re.compile(r"^\s*(?:;\s*)?--8<--")


def read_page(page: Path) -> tuple[list[str], list[Fence]]:
    """The page's lines and its fenced blocks, hidden ones included; `InvalidPage` names a
    broken block."""
    lines = page.read_text(encoding="utf-8").splitlines()
    origins = [Origin(page, number) for number in range(1, len(lines) + 1)]
    return lines, find_fences(lines, origins)


def page_fences(page: Path) -> list[Fence]:
    """The page's fenced blocks, hidden ones included; `InvalidPage` names a broken one."""
    return read_page(page)[1]


# A content tab (`=== "Linux"`, `===! "macOS"`, `===+ "..."`), its label captured.
_TAB = re.compile(r'^(?P<indent>[ ]*)===[!+]?[ \t]+"(?P<label>[^"]*)"')


def _indent(line: str) -> int:
    text = line.expandtabs(4)
    return len(text) - len(text.lstrip(" "))


def content_tabs(lines: list[str], fence: Fence) -> list[str]:
    """The labels of the content tabs the fence sits in, innermost first.

    Walking up from the fence, every less indented line opens what holds it (a tab, an
    admonition, a list item); the walk ends at the page's left margin.
    """
    labels: list[str] = []
    level = _indent(lines[fence.open_line])
    for line in reversed(lines[: fence.open_line]):
        if level == 0:
            break
        if not line.strip() or _indent(line) >= level:
            continue
        level = _indent(line)
        tab = _TAB.match(line.expandtabs(4))
        if tab:
            labels.append(tab["label"])
    return labels


@dataclass
class PageScript:
    page: Path
    lines: list[str] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)  # page line (1-based) of each script line

    def text(self) -> str:
        return "#!/usr/bin/env bash\n" + "".join(f"{line}\n" for line in self.lines)

    def page_line(self, script_line: int) -> int:
        """The page line of a line of `text()` (whose first line is the shebang)."""
        index = min(max(script_line - 2, 0), len(self.origins) - 1)
        return self.origins[index]


def _for_shellcheck(line: str) -> str:
    # A macro stands in for a word; an included snippet is checked as its own file.
    if SNIPPET.match(line):
        return ":"
    return MACRO.sub("MACRO_VALUE", line)


def page_script(page: Path) -> PageScript:
    script = PageScript(page)
    for fence in page_fences(page):
        if fence.lang.lower() in SHELL_LANGUAGES:
            for k, text in enumerate(fence.body):
                script.lines.append(_for_shellcheck(text))
                script.origins.append(fence.body_line(k) + 1)
    return script
