"""The evaluators' shared parts: time limits, the wait= wrapper, the dispatch by kind."""

from __future__ import annotations

import time
from pathlib import Path
from typing import get_args

from page_runs import run_text

from execdocs import evaluators
from execdocs.evaluators import Limits
from execdocs.evaluators.base import DEFAULT_TIMEOUT
from execdocs.model import Block, BlockKind, Origin

AT = Origin(Path("page.md"), 1)


def block(**options: str) -> Block:
    return Block("console", "console", options, "$ true", AT, [AT])


def test_a_block_has_its_own_timeout_or_the_default():
    assert Limits(block()).next().seconds == DEFAULT_TIMEOUT
    timeout = Limits(block(timeout="5")).next()
    assert (timeout.seconds, timeout.message()) == (5, "timed out after 5 s")


def test_the_limit_that_ends_first_names_itself_and_changes_nothing():
    now = time.monotonic()
    waiting = Limits(block(wait="2", timeout="60"), wait_until=now + 2)
    assert waiting.next().note == ' (wait="2")'
    paged = Limits(block(timeout="60"), deadline=now + 30, page_timeout=30)
    first, second = paged.next(), paged.next()
    assert first.note == second.note == " (the page's timeout of 30 s)"
    assert 29 < second.seconds <= first.seconds <= 30


def test_a_wait_block_is_not_run_again_once_the_shell_ended(tmp_path):
    result = run_text(tmp_path, '```console wait="3"\n$ echo going; exit 7\ngoing\n```\n')
    assert result.failure.shell_ended
    assert result.blocks[0].attempts == 1
    assert result.failure.message.endswith("(still failing after 1 attempts in 3 s)")


def test_every_kind_that_runs_has_its_evaluator():
    assert set(evaluators.BY_KIND) == set(get_args(BlockKind)) - {"shown"}
