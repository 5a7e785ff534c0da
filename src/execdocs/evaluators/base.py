"""What every evaluator shares: the interface, the page's state, and time limits.

An evaluator is a callable `(block, page, limits) -> Failure | None`: it runs one block
in the page's session and says why it failed, or None when it passed. `PageState` is
what the blocks of a page share (Sybil's `document.namespace`); `Limits` says how long
the block's next command may take, and why, without changing anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from execdocs.model import Block, Command
from execdocs.results import Failure
from execdocs.session import Session, SessionEnded

DEFAULT_TIMEOUT = 600  # seconds, for a block


@dataclass
class PageState:
    """One page being run: its session, its copy of the repository, its run directory,
    and what its blocks leave for the end of the page."""

    session: Session
    copy: Path  # the page's copy of the repository
    directory: Path  # the page's run directory (scratch files, the guard's notes)
    update_mode: bool = False
    deadline: float | None = None  # the page's timeout, in time.monotonic() terms
    page_timeout: object = None  # the page's `timeout` option, as written
    updates: list[tuple[Command, str]] = field(default_factory=list)  # for update mode
    background_logs: list[Path] = field(default_factory=list)
    # What each console command printed the last time it ran (by id of its `Command`),
    # as the shell wrote it: the page's recording is made from it (`execdocs.recordings`).
    outputs: dict[int, str] = field(default_factory=dict)
    # The pictures each screenshot block took (by id of its `Block`): PNG bytes by scheme.
    screenshots: dict[int, dict[str, bytes]] = field(default_factory=dict)

    def limits(self, block: Block, wait_until: float | None) -> Limits:
        return Limits(block, wait_until, self.deadline, self.page_timeout)


@dataclass(frozen=True)
class Timeout:
    """The seconds a command may take, and what set them when not the block's timeout."""

    seconds: float
    note: str = ""

    def message(self) -> str:
        return f"timed out after {self.seconds:.3g} s{self.note}"


@dataclass(frozen=True)
class Limits:
    """The time limits of one attempt at a block: its timeout, its wait= time, the page's."""

    block: Block
    wait_until: float | None = None  # with wait=: when the block stops being run again
    deadline: float | None = None  # the page's
    page_timeout: object = None

    def next(self) -> Timeout:
        """The seconds the next command may take: the block's timeout, or less if the
        wait= time or the page's timeout ends sooner."""
        now = time.monotonic()
        limits = {"": float(self.block.options.get("timeout", DEFAULT_TIMEOUT))}
        if self.wait_until is not None:
            limits[f' (wait="{self.block.options["wait"]}")'] = self.wait_until - now
        if self.deadline is not None:
            limits[f" (the page's timeout of {self.page_timeout} s)"] = self.deadline - now
        note, seconds = min(limits.items(), key=lambda item: item[1])
        return Timeout(max(seconds, 0.001), note)


class Evaluator(Protocol):
    def __call__(self, block: Block, page: PageState, limits: Limits) -> Failure | None:
        """Run `block` in the page's session: None when it passed, else why it failed."""


def ended(error: SessionEnded, block: Block, command: Command | None = None) -> Failure:
    """The failure of a block (at `command`, for a console block) whose shell ended."""
    return Failure(command.origin if command else block.origin, str(error),
                   command=command.text if command else block.body, kind=block.kind,
                   block_origin=block.origin, output=error.output, shell_ended=True)
