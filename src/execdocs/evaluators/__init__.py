"""One evaluator per block kind, each a module with `evaluate(block, page, limits)`
(see `base.Evaluator`): `console`, `shell`, `file`, `python`, `screenshot` and `background`; `retry`
wraps any of them for `wait=`. `evaluate` looks the evaluator up by the block's kind
and calls it; the blocks of a page share a `PageState`.
"""

from __future__ import annotations

from execdocs.evaluators import background, console, file, python, screenshot, shell
from execdocs.evaluators.base import DEFAULT_TIMEOUT, Evaluator, Limits, PageState, Timeout
from execdocs.evaluators.retry import evaluate_with_retries
from execdocs.model import Block
from execdocs.results import Failure

__all__ = ["DEFAULT_TIMEOUT", "Evaluator", "Limits", "PageState", "Timeout",
           "evaluate", "evaluate_with_retries"]

BY_KIND: dict[str, Evaluator] = {
    "console": console.evaluate,
    "shell": shell.evaluate,
    "file": file.evaluate,
    "python": python.evaluate,
    "screenshot": screenshot.evaluate,
}


def evaluate(block: Block, page: PageState) -> tuple[Failure | None, int]:
    """Run a block that runs (not shown, not skipped) with its kind's evaluator: why it
    failed (None: it passed), and how many attempts it took. A background block is
    started once; any other runs again with wait= until it passes."""
    if block.options.get("test") == "background":
        return background.evaluate(block, page, page.limits(block, None)), 1
    return evaluate_with_retries(BY_KIND[block.kind], block, page)
