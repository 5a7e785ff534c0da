"""`wait="N"`: run a block again until it passes, for at most N seconds.

A wrapper around any evaluator. It stops early when trying again cannot help: the shell
has ended (nothing left to retry in), or the guard refused a command (a collision does
not go away by waiting).
"""

from __future__ import annotations

import time

from execdocs import cleanup
from execdocs.evaluators.base import Evaluator, PageState, ended
from execdocs.model import Block
from execdocs.results import Failure
from execdocs.session import SessionEnded

FIRST_PAUSE, LONGEST_PAUSE = 0.1, 2.0  # seconds between attempts


def evaluate_with_retries(evaluator: Evaluator, block: Block,
                          page: PageState) -> tuple[Failure | None, int]:
    """Run the block; with wait="N", run it again until it passes, for at most N s.
    Returns the last failure (None when it passed) and the number of attempts."""
    wait = int(block.options.get("wait", 0))
    wait_until = time.monotonic() + wait
    pause, attempts = FIRST_PAUSE, 0
    while True:
        attempts += 1
        updates_before = len(page.updates)
        failure = _attempt(evaluator, block, page, wait_until if wait else None)
        if failure is None or not wait or time.monotonic() + pause >= wait_until:
            break
        if failure.shell_ended or cleanup.refusal(page.directory):
            break
        del page.updates[updates_before:]
        time.sleep(pause)  # a readiness retry: the block is what is waited on
        pause = min(pause * 2, LONGEST_PAUSE)
    if failure is not None and wait:
        failure.message += f" (still failing after {attempts} attempts in {wait} s)"
    return failure, attempts


def _attempt(evaluator: Evaluator, block: Block, page: PageState,
             wait_until: float | None) -> Failure | None:
    try:
        return evaluator(block, page, page.limits(block, wait_until))
    except SessionEnded as error:
        return ended(error, block)
