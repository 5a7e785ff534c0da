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

from execdocs.fences import Fence, find_fences
from execdocs.model import Origin

SHELL_LANGUAGES = {"bash", "sh", "shell"}
MACRO = re.compile(r"\{\{.*?\}\}")
SNIPPET = re.compile(r"^\s*(?:;\s*)?--8<--")


def page_fences(page: Path) -> list[Fence]:
    """The page's fenced blocks, hidden ones included; `InvalidPage` names a broken one."""
    lines = page.read_text(encoding="utf-8").splitlines()
    return find_fences(lines, [Origin(page, number) for number in range(1, len(lines) + 1)])


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
