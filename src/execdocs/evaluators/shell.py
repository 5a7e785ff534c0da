"""```bash, ```sh, ```shell blocks: sourced into the session with errexit and pipefail."""

from __future__ import annotations

from execdocs.evaluators.base import Limits, PageState
from execdocs.model import Block
from execdocs.results import Failure


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    expected_status = int(block.options.get("exit", 0))
    timeout = limits.next()
    outcome = page.session.source(block.body, timeout.seconds)
    if outcome.timed_out:
        message = timeout.message()
    elif outcome.status != expected_status:
        message = f"exit status {outcome.status}, expected {expected_status}"
    else:
        return None
    failed_at = block.origin
    if outcome.line and outcome.line <= len(block.line_origins):
        failed_at = block.line_origins[outcome.line - 1]  # the page's or a snippet's
    return Failure(failed_at, message, command=block.body, kind="shell",
                   block_origin=block.origin, status=outcome.status,
                   expected_status=expected_status, output=outcome.output)
