"""```console blocks: each `$ ` command sent to the session, its exit status and its
output judged against the transcript.

Consecutive console blocks with no option the runner acts on between them go to the
shell together (`runs_together`, `evaluate_run`), which costs a page of quick commands
one round trip to the shell instead of one per block.
"""

from __future__ import annotations

import time

from execdocs.evaluators.base import Limits, PageState, Timeout, ended
from execdocs.matcher import is_wildcard_line, match
from execdocs.model import Block, Command
from execdocs.results import BlockResult, Failure
from execdocs.session import SessionEnded, ShellOutcome, Step

# Options the runner acts on between blocks: a block with one is not sent with others.
RUNNER_OPTIONS = {"test", "wait", "timeout", "requires", "file"}


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    return _consoles([block], page, limits)[0]


def runs_together(blocks: list[Block], position: int) -> list[Block]:
    """The console blocks from `position` on (with shown blocks between them) that can go
    to the shell together, or [] when fewer than two can: blocks with no option the
    runner must act on between them. (A page with a timeout runs its blocks one by one.)"""
    def plain_console(block: Block) -> bool:
        return block.kind == "console" and not RUNNER_OPTIONS & block.options.keys()

    if not plain_console(blocks[position]):
        return []
    end = position + 1
    while end < len(blocks) and (blocks[end].kind == "shown" or plain_console(blocks[end])):
        end += 1
    while blocks[end - 1].kind == "shown":
        end -= 1
    run = blocks[position:end]
    return run if sum(block.kind == "console" for block in run) > 1 else []


def evaluate_run(run: list[Block], page: PageState) -> tuple[Failure | None, list[BlockResult]]:
    """Run consecutive console blocks as one: the shell goes from one to the next only
    when the first passed (see `_consoles`). Returns the failure and each block's result."""
    consoles = [block for block in run if block.kind == "console"]
    failure, began = _consoles(consoles, page, page.limits(consoles[0], None))
    ends = [*began[1:], time.time()]
    seconds = {id(block): end - start
               for block, start, end in zip(consoles, began, ends, strict=False)}
    results = []
    for block in run:
        if block.kind == "shown":
            status = "shown"
        elif id(block) not in seconds:
            status = "not run"
        elif failure is not None and failure.block_origin == block.origin:
            status = "failed"
        else:
            status = "passed"
        results.append(BlockResult(block, status, seconds=seconds.get(id(block), 0.0),
                                   attempts=int(id(block) in seconds)))
    return failure, results


def _consoles(blocks: list[Block], page: PageState, limits: Limits,
              ) -> tuple[Failure | None, list[float]]:
    """Send the blocks' commands to the shell, which runs them until one exits with
    another status than expected, and goes from one block to the next only when each
    command of the first printed exactly its expected output; then judge each command's
    output in order, so that the first command that failed, by status or by output, is
    the failure. Returns it, and when each block that ran began.

    Within a block, a command may thus run after one above it printed other output than
    the page shows (never after one that failed its status): the page fails all the
    same, at the first. In a `wait=` block, which runs again until it passes, the shell
    pauses after each command with expected output until it is judged, so that a retry
    never follows a command that ran too early."""
    timeout = limits.next()
    deadline = time.monotonic() + timeout.seconds if len(blocks) == 1 else None
    owners = [(block, command) for block in blocks for command in block.commands]
    pause = limits.wait_until is not None
    steps = [_step(block, index, pause)
             for block in blocks for index in range(len(block.commands))]
    began: dict[int, float] = {}
    start = 0
    while start < len(steps):
        left = (timeout.seconds if deadline is None
                else max(deadline - time.monotonic(), 0.001))
        try:
            outcomes = page.session.run_steps(steps[start:], left)
        except SessionEnded as error:
            block, command = owners[start + len(error.completed)]
            _note_began(began, owners[start:], [*error.completed, None])
            failure = _check_all(page, owners, start, error.completed, steps, timeout)
            return failure or ended(error, block, command), list(began.values())
        _note_began(began, owners[start:], outcomes)
        failure = _check_all(page, owners, start, outcomes, steps, timeout)
        if failure is not None:
            return failure, list(began.values())
        start += len(outcomes)
    return None, list(began.values())


def _check_all(page: PageState, owners: list[tuple[Block, Command]], start: int,
               outcomes: list[ShellOutcome], steps: list[Step], timeout: Timeout,
               ) -> Failure | None:
    """The first failure among the outcomes of commands `start`, `start + 1`, ..."""
    for index, outcome in enumerate(outcomes, start):
        block, command = owners[index]
        failure = _check(page, block, command, outcome, steps[index], timeout)
        if failure is not None:
            return failure
    return None


def _step(block: Block, index: int, pause: bool) -> Step:
    """What the shell needs to run command `index` of `block`."""
    command = block.commands[index]
    status = int(block.options.get("exit", 0)) if index == len(block.commands) - 1 else 0
    output, judges = _as_shown(command)
    return Step(command.text, status, output=output, runner_judges=judges,
                ends_block=index == len(block.commands) - 1,
                pause_after=pause and bool(command.expected))


def _check(page: PageState, block: Block, command: Command, outcome: ShellOutcome, step: Step,
           timeout: Timeout) -> Failure | None:
    checked, expected_status = None, step.status
    if not outcome.timed_out:
        page.outputs[id(command)] = outcome.output  # the last attempt's, with wait=
    if outcome.timed_out:
        message = timeout.message()
    elif outcome.status != expected_status:
        message = f"exit status {outcome.status}, expected {expected_status}"
        checked = match(command.expected, outcome.output)  # the report shows both
    elif not step.runner_judges and step.output in (None, outcome.output):
        return None  # as shown, byte for byte (or not checked): no need of the matcher
    elif checked := match(command.expected, outcome.output):
        return None
    elif page.update_mode:
        page.updates.append((command, outcome.output))
        return None
    else:
        message = "the output does not match"
    return Failure(command.origin, message, command=command.text, kind="console",
                   block_origin=block.origin, status=outcome.status,
                   expected_status=expected_status, output=outcome.output,
                   diff=checked.diff if checked is not None else "")


def _note_began(began: dict[int, float], owners: list[tuple[Block, Command]],
                outcomes: list[ShellOutcome | None]) -> None:
    """Note when each block began: when its first command that ran did (None: now)."""
    for (block, _), outcome in zip(owners, outcomes, strict=False):
        began.setdefault(id(block), outcome.began if outcome and outcome.began else time.time())


def _as_shown(command: Command) -> tuple[str | None, bool]:
    """The output `command` must print when its expected lines stand for themselves (no
    wildcards, nothing a terminal would alter), or None; and whether it is for the
    matcher to judge instead. No expected lines: any output, not judged."""
    expected = [line.rstrip() for line in command.expected]
    while expected and not expected[-1]:
        expected.pop()
    if not expected:
        return None, False
    if any(is_wildcard_line(line) or "\x1b" in line or "\r" in line for line in expected):
        return None, True
    return "\n".join(expected) + "\n", False
