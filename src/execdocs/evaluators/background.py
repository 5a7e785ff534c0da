"""Blocks with `test="background"`: started in a process group of their own, left running
until the page ends; their log is shown when the page fails."""

from __future__ import annotations

from execdocs.evaluators.base import Limits, PageState
from execdocs.model import Block
from execdocs.results import Failure
from execdocs.session import SessionEnded


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    script = (block.body if block.kind != "console"
              else "\n".join(command.text for command in block.commands))
    try:
        _group, log = page.session.start_background(script)
    except SessionEnded as ended:
        return Failure(block.origin, str(ended), block_origin=block.origin, shell_ended=True)
    page.background_logs.append(log)
    return None
