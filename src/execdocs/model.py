"""The data the parser hands to the runner. Parsers build these; evaluators read them.

Every line a reader sees keeps its `Origin`: the source file and 1-based line it came
from (the page itself, or the snippet file for text included with `--8<--`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BlockKind = Literal["console", "shell", "file", "python", "screenshot", "shown"]


@dataclass(frozen=True)
class Origin:
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class InvalidPage(Exception):
    """A page the runner refuses before running anything of it.

    `origin` and `message` are its first problem; `problems` holds every problem of the
    page, each an `InvalidPage` of its own (`file:line: what is wrong; what to do`), and
    `str()` gives them all, one per line.
    """

    def __init__(self, origin: Origin, message: str):
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message
        self.problems: tuple[InvalidPage, ...] = (self,)

    @classmethod
    def several(cls, problems: Sequence[InvalidPage]) -> InvalidPage:
        """One error carrying all of `problems` (each listed once, in order)."""
        flat: dict[tuple[Origin, str], InvalidPage] = {}
        for error in problems:
            for problem in error.problems:
                flat.setdefault((problem.origin, problem.message), problem)
        if not flat:
            raise ValueError("no problem to report")
        first, *rest = flat.values()
        if not rest:
            return first
        error = cls(first.origin, first.message)
        error.problems = (first, *rest)
        return error

    def __str__(self) -> str:
        return "\n".join(f"{p.origin}: {p.message}" for p in self.problems)

    def __reduce__(self):  # so that it survives pickling (pytest-xdist, multiprocessing)
        return _restore, (type(self), [(p.origin, p.message) for p in self.problems])


def _restore(kind: type[InvalidPage], problems: list[tuple[Origin, str]]) -> InvalidPage:
    return kind.several([kind(origin, message) for origin, message in problems])


@dataclass
class Command:
    """One `$ ` command of a console transcript."""

    text: str  # as bash receives it: continuation lines joined with newlines, prompts removed
    origin: Origin  # the `$ ` line
    expected: list[str] = field(default_factory=list)  # empty: output is not checked
    expected_origins: list[Origin] = field(default_factory=list)
    # Where `expected` is in the block's body: its first line and the line after its last
    # (0-based, both the line after the command when nothing is expected).
    expected_at: tuple[int, int] = (0, 0)


@dataclass
class Block:
    """One fenced block as the built site shows it."""

    lang: str
    kind: BlockKind
    options: dict[str, str]
    body: str  # the reader's text: macros rendered, snippets expanded
    origin: Origin  # the opening fence in the page's source
    line_origins: list[Origin]  # one per line of `body`
    hidden: bool = False  # inside `<!-- execdocs ... -->`
    commands: list[Command] = field(default_factory=list)  # console blocks only


@dataclass
class Page:
    path: Path  # the source file, as given
    blocks: list[Block]
    options: dict[str, object] = field(default_factory=dict)  # front matter `execdocs:`
