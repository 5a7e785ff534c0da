"""A page's failure as text a reader can act on without re-running anything: where
(file:line), what ran, expected vs actual output, the exit status, and what the page's
Compose projects and background blocks were doing."""

from __future__ import annotations

import textwrap

from execdocs.model import InvalidPage
from execdocs.results import Failure, PageResult

OUTPUT_TAIL = 60  # lines of unchecked output shown


def failure_report(result: PageResult) -> str:
    failure = result.failure
    if failure is None:
        return ""
    lines = [f"{failure.origin}: {failure.message}"]
    if failure.block_origin is not None and failure.block_origin.path != failure.origin.path:
        lines.append(f"  (included by the block at {failure.block_origin})")
    if failure.command:
        lines += ["", _command(failure)]
    if failure.status is not None or failure.message.startswith("timed out"):
        status = "none (it did not finish)" if failure.status is None else failure.status
        lines.append(f"exit status: {status} (expected {failure.expected_status})")
    if failure.diff:
        lines += ["", failure.diff]
    elif failure.output.strip():
        lines += ["", "output:", _tail(failure.output)]
    for section in failure.diagnostics:
        lines += ["", section.rstrip()]
    return "\n".join(lines)


def invalid_page_report(error: InvalidPage) -> str:
    return str(error)  # every problem of the page, one `file:line: ...` a line


def _command(failure: Failure) -> str:
    first, *rest = failure.command.rstrip("\n").split("\n")
    if failure.kind == "console":  # as the transcript shows it
        return "\n".join([f"$ {first}", *(f"> {line}" for line in rest)])
    lines = [first, *rest]
    if len(lines) > 30:  # a long block: its location says where the rest is
        lines = [*lines[:30], f"... ({len(lines) - 30} more lines)"]
    return f"{failure.kind} block:\n" + textwrap.indent("\n".join(lines), "  ")


def _tail(output: str) -> str:
    lines = output.rstrip("\n").split("\n")
    if len(lines) > OUTPUT_TAIL:
        lines = [f"... ({len(lines) - OUTPUT_TAIL} earlier lines)", *lines[-OUTPUT_TAIL:]]
    return textwrap.indent("\n".join(lines), "  ")


def slowest_blocks(results: list[PageResult], count: int) -> str:
    """The `count` blocks that took longest, as pytest's --durations lists tests: where the
    time of a run goes."""
    timed = sorted((block for result in results for block in result.blocks),
                   key=lambda block: block.seconds, reverse=True)[:count]
    lines = [f"slowest {len(timed)} block(s):"]
    for block in timed:
        first = block.block.body.strip().split("\n", 1)[0]
        if len(first) > 60:
            first = first[:57] + "..."
        lines.append(f"{block.seconds:8.1f} s  {block.block.origin}  {block.block.kind}  {first}")
    return "\n".join(lines)
