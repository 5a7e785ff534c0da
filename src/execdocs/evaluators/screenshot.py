"""```screenshot url="..." blocks: the address photographed in headless chromium, in the
light and the dark colour scheme, from the page's own shell (so in its sandbox, where
the reader's ports are). The pictures are kept in the page's state; a run with
`--record` stores them with the recordings, and the site shows them in the block's place.

The block fails, with the browser's reasons, when the address answers an error, the
page logs a console error, throws, or a request fails (`execdocs.screenshot`)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from execdocs import screenshot
from execdocs.evaluators.base import Limits, PageState
from execdocs.model import Block
from execdocs.results import Failure


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    directory = page.directory / "screenshots" / str(len(page.screenshots))
    # The program's own file, not `-m`: the page's shell may sit in any folder of any
    # project, and the module needs nothing of execdocs.
    command = shlex.join([sys.executable, str(Path(screenshot.__file__)),
                          block.options["url"], str(directory)])
    timeout = limits.next()
    outcome = page.session.run(command, timeout.seconds)
    if outcome.timed_out:
        message = timeout.message()
    elif outcome.status != 0:
        message = f"could not photograph {block.options['url']}"
    else:
        page.screenshots[id(block)] = {
            scheme: (directory / f"{scheme}.png").read_bytes() for scheme in screenshot.SCHEMES}
        return None
    return Failure(block.origin, message, command=f"screenshot {block.options['url']}",
                   kind="screenshot", block_origin=block.origin, status=outcome.status,
                   output=outcome.output)
