"""What running a page produced: the runner writes these, reports and coverage read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from execdocs.model import Block, Origin

# passed/failed/skipped: as tested. shown: never meant to run (text, json, ...).
# not run: after the page's first failure, or when the whole page was skipped.
BlockStatus = Literal["passed", "failed", "skipped", "shown", "not run"]


@dataclass
class Failure:
    """Why a page failed, and everything needed to see why without re-running it."""

    origin: Origin  # the failing command's line (or the block's fence)
    message: str  # one line: what went wrong
    command: str = ""  # as bash received it (a console command, or a block's text)
    kind: str = ""  # the block's kind: console, shell, file, python
    block_origin: Origin | None = None  # the block's fence in the page, for included text
    status: int | None = None  # the exit status, None when it never finished
    expected_status: int = 0
    output: str = ""  # as the command wrote it
    diff: str = ""  # expected vs actual, when the output was checked
    diagnostics: list[str] = field(default_factory=list)  # compose ps, service and job logs
    shell_ended: bool = False  # the page's shell is gone: nothing more can run in it


@dataclass
class BlockResult:
    block: Block
    status: BlockStatus
    reason: str = ""  # why skipped
    seconds: float = 0.0
    attempts: int = 0  # with wait=: how many runs it took


@dataclass
class PageResult:
    path: Path
    blocks: list[BlockResult] = field(default_factory=list)
    failure: Failure | None = None
    skipped: str = ""  # the reason, when the whole page was skipped
    # Skipped for the engine's state at the time, not for the page's text (an `alone`
    # page beside containers it did not start): a recording keeps the page's last run.
    skipped_for_now: bool = False
    seconds: float = 0.0
    updated: list[Origin] = field(default_factory=list)  # commands whose output was rewritten
    # What each console command that ran printed, as the matcher compared it (escapes
    # removed, overwrites applied, trailing blanks dropped; an isolated page's names
    # already the reader's), by (index of the block in the page, index of the command).
    outputs: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    # The pictures screenshot blocks took, by index of the block: PNG bytes by scheme.
    screenshots: dict[int, dict[str, bytes]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.failure is None
