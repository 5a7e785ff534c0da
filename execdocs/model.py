"""The data the parser hands to the runner. Parsers build these; evaluators read them.

Every line a reader sees keeps its `Origin`: the source file and 1-based line it came
from (the page itself, or the snippet file for text included with `--8<--`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BlockKind = Literal["console", "shell", "file", "python", "shown"]


@dataclass(frozen=True)
class Origin:
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class InvalidPage(Exception):
    """A page the runner refuses before running anything of it."""

    def __init__(self, origin: Origin, message: str):
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message


@dataclass
class Command:
    """One `$ ` command of a console transcript."""

    text: str  # as bash receives it: continuation lines joined with newlines, prompts removed
    origin: Origin  # the `$ ` line
    expected: list[str] = field(default_factory=list)  # empty: output is not checked
    expected_origins: list[Origin] = field(default_factory=list)


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
