"""```python blocks: linted, run and their `#>` output checked by pytest-examples, in a
process of their own started from the page's session (`execdocs.python_block`)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from execdocs.evaluators.base import Limits, PageState
from execdocs.model import Block
from execdocs.results import Failure

_PYTHON_BLOCK = Path(__file__).parent.parent / "python_block.py"


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    script = page.directory / "scratch" / f"block_{block.origin.line}.py"
    script.write_text(block.body + "\n")
    command = " ".join(shlex.quote(str(part)) for part in (
        sys.executable, "-P", _PYTHON_BLOCK, script, block.origin.path, block.origin.line))
    timeout = limits.next()
    outcome = page.session.run(command, timeout.seconds)
    if outcome.status == 0:
        return None
    message = (timeout.message() if outcome.timed_out
               else "the Python block failed (lint, an exception or its #> output)")
    return Failure(block.origin, message, command=block.body, kind="python",
                   block_origin=block.origin, status=outcome.status, output=outcome.output)
