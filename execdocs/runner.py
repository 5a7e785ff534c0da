"""Run a `Page`: its blocks top to bottom in one session, in a fresh copy of the
repository, stopping at the first failure; then stop what the page left running and
remove what it created in Docker, pass, fail or interrupt.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from execdocs import cleanup, sandbox, translate, update, workspace
from execdocs.docker_engine import Engine
from execdocs.model import Block, Command, InvalidPage, Page
from execdocs.results import BlockResult, Failure, PageResult
from execdocs.session import Outcome, Session, SessionEnded, Step
from execdocs.transcript import is_wildcard_line, match

DEFAULT_TIMEOUT = 600  # seconds, for a block
PROBE_TIMEOUT = 120  # seconds, for a condition's probe
LOG_TAIL = 20  # lines of each service's and background block's log in a failure report
COMPOSE_NAMES = ("compose*.yml", "compose*.yaml", "docker-compose*.yml", "docker-compose*.yaml")
_FIRST_RETRY, _LONGEST_RETRY = 0.1, 2.0  # seconds between attempts of a wait= block
_PYTHON_BLOCK = Path(__file__).with_name("python_block.py")
# Options the runner acts on between blocks: a block with one is not sent with others.
_RUNNER_OPTIONS = {"test", "wait", "timeout", "requires", "file"}


class Interrupted(KeyboardInterrupt):
    """The runner was asked to stop (SIGTERM); cleanup runs as for Ctrl-C."""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM interrupts the run like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: object) -> None:
        raise Interrupted(f"signal {number}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Let cleanup finish even if Ctrl-C or SIGTERM comes again; deliver it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda n, _f: received.append(n))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            raise KeyboardInterrupt if received[0] == signal.SIGINT else Interrupted("again")


class Runner:
    """Runs pages for one run: one run directory, one set of condition probes."""

    def __init__(self, conditions: dict[str, str] | None = None, *,
                 project_root: Path | None = None, update_mode: bool = False,
                 engine: Engine | None = None, runs_base: Path | None = None):
        self.conditions = dict(conditions or {})
        self.project_root = project_root or Path.cwd()
        self.update_mode = update_mode
        self.engine = engine or Engine()
        self.runs_base = runs_base
        # Why pages share the host's network and names (None: each page has its own).
        self.not_isolated = sandbox.unavailable()
        self.run: workspace.Run | None = None
        self._probed: dict[str, bool] = {}

    def start(self) -> Runner:
        """Remove what killed runs left behind, then open this run's directory."""
        cleanup.reap_dead_runs(self.engine, self.runs_base)
        self.started_at = time.time()
        self.run = workspace.Run.start(self.runs_base)
        return self

    def close(self) -> None:
        if self.run is None:
            return
        try:
            with _uninterrupted():
                cleanup.clean_run(self.engine, self.run.id, self.run.root, self.started_at)
        finally:
            self.run.remove()
            self.run = None

    def __enter__(self) -> Runner:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run_page(self, page: Page) -> PageResult:
        if self.run is None:
            self.start()
        started = time.monotonic()
        result = PageResult(page.path)
        if page.options.get("skip"):
            result.skipped = str(page.options["skip"])
            result.blocks = [BlockResult(b, _not_run_status(b), result.skipped)
                             for b in page.blocks]
            return result
        try:
            _PageRun(self, page, result).run()
        finally:
            result.seconds = time.monotonic() - started
        return result

    def condition_holds(self, name: str, block: Block) -> bool:
        """Run the probe of condition `name` (once per run)."""
        if name not in self.conditions:
            raise InvalidPage(block.origin, f"requires={name!r} names no condition of the project")
        if name not in self._probed:
            try:
                probe = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-c", self.conditions[name]],
                    cwd=self.project_root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=PROBE_TIMEOUT,
                )
                self._probed[name] = probe.returncode == 0
            except subprocess.TimeoutExpired:
                self._probed[name] = False
        return self._probed[name]


def _not_run_status(block: Block) -> str:
    return "shown" if block.kind == "shown" else "skipped"


class _PageRun:
    """One page being run: its copy, session, deadline and pending output updates."""

    def __init__(self, runner: Runner, page: Page, result: PageResult):
        self.runner = runner
        self.page = page
        self.result = result
        self.engine = runner.engine
        self.updates: list[tuple[Command, str]] = []
        page_timeout = page.options.get("timeout")
        self.deadline = time.monotonic() + float(page_timeout) if page_timeout else None
        self.background_logs: list[Path] = []

    def run(self) -> None:
        self.started_at = time.time()
        self.directory = self.runner.run.page_directory()
        try:
            self.copy = workspace.copy_for_page(self.page.path, self.directory)
            scratch = self.directory / "scratch"
            scratch.mkdir()
            env = dict(os.environ)
            isolated = self.engine.available and self.runner.not_isolated is None
            box = sandbox.Sandbox(self.directory) if isolated else None
            if self.engine.available:
                shim = cleanup.write_shim(self.directory / "bin", self.engine, self.runner.run.id,
                                          self.directory, self.copy, self.runner.run.root,
                                          isolated=isolated)
                env["PATH"] = f"{shim.parent}{os.pathsep}{env.get('PATH', '')}"
            self.session = Session(self.copy, env, scratch,
                                   wrapper=box.wrapper() if box else ())
            try:
                workspace.record_session(self.directory, self.session.pid)
                if box:
                    box.start(self.session.pid)
                self._run_blocks()
            finally:
                with _uninterrupted():
                    try:
                        self._finish()
                    finally:
                        if box:
                            box.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _run_blocks(self) -> None:
        blocks, position = self.page.blocks, 0
        while position < len(blocks) and self.result.failure is None:
            run = self._console_run(position)
            if run:
                self.result.blocks += self._run_console_run(run)
                position += len(run)
            else:
                self.result.blocks.append(self._run_block(blocks[position]))
                position += 1
            refused = cleanup.refusal(self.directory)
            if refused and self.result.failure is not None:
                # The guard stopped a docker command before it ran: that is the news.
                self.result.failure.message = f"refused before it ran: {refused}"
        self.result.blocks += [BlockResult(b, "shown" if b.kind == "shown" else "not run")
                               for b in blocks[position:]]

    def _console_run(self, position: int) -> list[Block]:
        """The console blocks from `position` on (with shown blocks between them) that can
        go to the shell together, or [] when fewer than two can: blocks with no option the
        runner must act on between them, on a page with no overall timeout."""
        def plain_console(block: Block) -> bool:
            return block.kind == "console" and not _RUNNER_OPTIONS & block.options.keys()

        blocks = self.page.blocks
        if self.deadline is not None or not plain_console(blocks[position]):
            return []
        end = position + 1
        while end < len(blocks) and (blocks[end].kind == "shown" or plain_console(blocks[end])):
            end += 1
        while blocks[end - 1].kind == "shown":
            end -= 1
        run = blocks[position:end]
        return run if sum(block.kind == "console" for block in run) > 1 else []

    def _run_console_run(self, run: list[Block]) -> list[BlockResult]:
        """Run consecutive console blocks as one: the shell goes from one to the next only
        when the first passed (see `_consoles`)."""
        consoles = [block for block in run if block.kind == "console"]
        failure, began = self._consoles(consoles, None)
        self.result.failure = failure
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
        return results

    def _finish(self) -> None:
        """Report context first (it needs the containers), then stop and remove."""
        try:
            if self.result.failure is not None:
                self.result.failure.diagnostics = self._diagnostics()
        finally:
            try:
                self.session.close()
            finally:
                cleanup.clean_page(self.engine, self.runner.run.id, self.copy, self.directory,
                                   self.started_at)
        if self.updates and self.result.failure is None:
            self._apply_updates()

    def _apply_updates(self) -> None:
        try:
            update.update_page(self.page.path, self.updates)
        except update.UpdateRefused as refused:
            self.result.failure = Failure(refused.origin, f"cannot update: {refused.message}")
            return
        self.result.updated = [command.origin for command, _ in self.updates]

    def _diagnostics(self) -> list[str]:
        try:
            return self._collect_diagnostics()
        except (OSError, subprocess.SubprocessError) as error:  # the report goes on without
            return [f"(the Compose state could not be collected: {error})"]

    def _collect_diagnostics(self) -> list[str]:
        found = []
        # An isolated page's projects, ports and images under the names the page shows.
        shown_as = translate.OutputTranslator(
            translate.Names(str(self.directory / sandbox.NAMES)).load(),
            translate.load_ports(str(self.directory / sandbox.PORTS)),
            translate.Names(str(self.directory / sandbox.IMAGES)).load())
        for project in sorted(cleanup.page_compose_projects(self.engine, self.copy,
                                                            self.directory)):
            report = self.engine.compose_report(project, LOG_TAIL)
            found.append(shown_as(report.encode()).decode(errors="replace"))
        for log in self.background_logs:
            lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL:] if log.exists() else []
            found.append(f"last lines of the background block's output ({log.name}):\n"
                         + "\n".join(lines))
        return found

    # --- blocks ---------------------------------------------------------------------

    def _run_block(self, block: Block) -> BlockResult:
        options = block.options
        if block.kind == "shown":
            return BlockResult(block, "shown")
        if options.get("test") == "skip":
            return BlockResult(block, "skipped", options["reason"])
        if "requires" in options and not self.runner.condition_holds(options["requires"], block):
            return BlockResult(block, "skipped", f"requires {options['requires']}")
        started = time.monotonic()
        if options.get("test") == "background":
            failure, attempts = self._start_background(block), 1
        else:
            failure, attempts = self._run_with_retries(block)
        self.result.failure = failure
        return BlockResult(block, "failed" if failure else "passed",
                           seconds=time.monotonic() - started, attempts=attempts)

    def _run_with_retries(self, block: Block) -> tuple[Failure | None, int]:
        """Run the block; with wait="N", run it again until it passes, for at most N s."""
        wait = int(block.options.get("wait", 0))
        wait_until = time.monotonic() + wait
        pause, attempts = _FIRST_RETRY, 0
        while True:
            attempts += 1
            updates_before = len(self.updates)
            failure = self._attempt(block, wait_until if wait else None)
            if failure is None or not wait or time.monotonic() + pause >= wait_until:
                break
            if failure.message.startswith("the shell ended"):
                break  # nothing left to retry in
            if cleanup.refusal(self.directory):
                break  # a collision does not go away by waiting
            del self.updates[updates_before:]
            time.sleep(pause)  # a readiness retry: the block is what is waited on
            pause = min(pause * 2, _LONGEST_RETRY)
        if failure is not None and wait:
            failure.message += f" (still failing after {attempts} attempts in {wait} s)"
        return failure, attempts

    def _attempt(self, block: Block, wait_until: float | None) -> Failure | None:
        try:
            if block.kind == "console":
                return self._console(block, wait_until)
            if block.kind == "shell":
                return self._shell(block, wait_until)
            if block.kind == "file":
                return self._file(block, wait_until)
            return self._python(block, wait_until)
        except SessionEnded as ended:
            return self._ended(ended, block, None)

    def _ended(self, ended: SessionEnded, block: Block, command: Command | None) -> Failure:
        return Failure(command.origin if command else block.origin, str(ended),
                       command=command.text if command else block.body, kind=block.kind,
                       block_origin=block.origin,
                       output=getattr(self.session, "partial_output", ""))

    def _timeout(self, block: Block, wait_until: float | None) -> float:
        """Seconds the next command may take: the block's timeout, or less if the wait=
        time or the page's timeout ends sooner."""
        now = time.monotonic()
        limits = {"": float(block.options.get("timeout", DEFAULT_TIMEOUT))}
        if wait_until is not None:
            limits[f' (wait="{block.options["wait"]}")'] = wait_until - now
        if self.deadline is not None:
            limits[f" (the page's timeout of {self.page.options['timeout']} s)"] = (
                self.deadline - now)
        self.timeout_note, seconds = min(limits.items(), key=lambda item: item[1])
        return max(seconds, 0.001)

    def _timed_out(self, timeout: float) -> str:
        return f"timed out after {timeout:.3g} s{self.timeout_note}"

    def _console(self, block: Block, wait_until: float | None) -> Failure | None:
        return self._consoles([block], wait_until)[0]

    def _consoles(self, blocks: list[Block], wait_until: float | None,
                  ) -> tuple[Failure | None, list[float]]:
        """Send the blocks' commands to the shell, which runs them until one exits with
        another status than expected, and goes from one block to the next only when each
        command of the first printed exactly its expected output; then judge each
        command's output in order, so that the first command that failed, by status or by
        output, is the failure. Returns it, and when each block that ran began.

        Within a block, a command may thus run after one above it printed other output
        than the page shows (never after one that failed its status): the page fails all
        the same, at the first. In a `wait=` block, which runs again until it passes, the
        shell pauses after each command with expected output until it is judged, so that a
        retry never follows a command that ran too early."""
        timeout = self._timeout(blocks[0], wait_until)
        deadline = time.monotonic() + timeout if len(blocks) == 1 else None
        owners = [(block, command) for block in blocks for command in block.commands]
        steps = [self._step(block, index, pause=wait_until is not None)
                 for block in blocks for index in range(len(block.commands))]
        began: dict[int, float] = {}
        start = 0
        while start < len(steps):
            left = timeout if deadline is None else max(deadline - time.monotonic(), 0.001)
            try:
                outcomes = self.session.run_steps(steps[start:], left)
            except SessionEnded as ended:
                block, command = owners[start + len(ended.completed)]
                _note_began(began, owners[start:], [*ended.completed, None])
                failure = self._check_all(owners, start, ended.completed, steps, timeout)
                return failure or self._ended(ended, block, command), list(began.values())
            _note_began(began, owners[start:], outcomes)
            failure = self._check_all(owners, start, outcomes, steps, timeout)
            if failure is not None:
                return failure, list(began.values())
            start += len(outcomes)
        return None, list(began.values())

    def _check_all(self, owners: list[tuple[Block, Command]], start: int,
                   outcomes: list[Outcome], steps: list[Step], timeout: float) -> Failure | None:
        """The first failure among the outcomes of commands `start`, `start + 1`, ..."""
        for index, outcome in enumerate(outcomes, start):
            block, command = owners[index]
            failure = self._check(block, command, outcome, steps[index], timeout)
            if failure is not None:
                return failure
        return None

    def _step(self, block: Block, index: int, pause: bool) -> Step:
        """What the shell needs to run command `index` of `block`."""
        command = block.commands[index]
        status = int(block.options.get("exit", 0)) if index == len(block.commands) - 1 else 0
        output, judges = _as_shown(command)
        return Step(command.text, status, output=output, runner_judges=judges,
                    ends_block=index == len(block.commands) - 1,
                    pause_after=pause and bool(command.expected))

    def _check(self, block: Block, command: Command, outcome: Outcome, step: Step,
               timeout: float) -> Failure | None:
        checked, expected_status = None, step.status
        if outcome.timed_out:
            message = self._timed_out(timeout)
        elif outcome.status != expected_status:
            message = f"exit status {outcome.status}, expected {expected_status}"
            checked = match(command.expected, outcome.output)  # the report shows both
        elif not step.runner_judges and step.output in (None, outcome.output):
            return None  # as shown, byte for byte (or not checked): no need of the matcher
        elif checked := match(command.expected, outcome.output):
            return None
        elif self.runner.update_mode:
            self.updates.append((command, outcome.output))
            return None
        else:
            message = "the output does not match"
        return Failure(command.origin, message, command=command.text, kind="console",
                       block_origin=block.origin, status=outcome.status,
                       expected_status=expected_status, output=outcome.output,
                       diff=checked.diff if checked is not None else "")

    def _shell(self, block: Block, wait_until: float | None) -> Failure | None:
        expected_status = int(block.options.get("exit", 0))
        timeout = self._timeout(block, wait_until)
        outcome = self.session.source(block.body, timeout)
        if outcome.timed_out:
            message = self._timed_out(timeout)
        elif outcome.status != expected_status:
            message = f"exit status {outcome.status}, expected {expected_status}"
        else:
            return None
        failed_at = block.origin
        if outcome.line and outcome.line <= len(block.line_origins):
            failed_at = block.line_origins[outcome.line - 1]  # the page's or a snippet's
        return Failure(failed_at, message, command=block.body, kind="shell",
                       block_origin=block.origin, status=outcome.status,
                       expected_status=expected_status,
                       output=outcome.output)

    def _file(self, block: Block, wait_until: float | None) -> Failure | None:
        path = self.session.cwd() / block.options["file"]
        # Resolved through symlinks and `..`, before any folder is made: a page writes
        # inside its own copy only.
        if not path.resolve().is_relative_to(self.copy.resolve()):
            return Failure(block.origin, f'file="{block.options["file"]}" is outside the '
                           "page's copy of the repository; write it to a path inside it",
                           kind="file", block_origin=block.origin)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.body + "\n")
        if not _is_compose_file(path, block.body):
            return None
        command = f"docker compose -f {shlex.quote(str(path))} config -q"
        timeout = self._timeout(block, wait_until)
        outcome = self.session.run(command, timeout)
        if outcome.status == 0:
            return None
        base = _base_compose_file(path)
        if base is not None:
            # An override (compose.override.yaml, a second -f file) is only complete on
            # top of the file beside it; Compose merges them the same way at `up`.
            merged = (f"docker compose -f {shlex.quote(str(base))}"
                      f" -f {shlex.quote(str(path))} config -q")
            outcome = self.session.run(merged, self._timeout(block, wait_until))
            if outcome.status == 0:
                return None
            command = merged
        rejected = f"docker compose rejects the Compose file {block.options['file']}"
        return Failure(block.origin, rejected, command=command, kind="console",
                       block_origin=block.origin, status=outcome.status, output=outcome.output)

    def _python(self, block: Block, wait_until: float | None) -> Failure | None:
        script = self.directory / "scratch" / f"block_{block.origin.line}.py"
        script.write_text(block.body + "\n")
        command = " ".join(shlex.quote(str(part)) for part in (
            sys.executable, "-P", _PYTHON_BLOCK, script, block.origin.path, block.origin.line))
        timeout = self._timeout(block, wait_until)
        outcome = self.session.run(command, timeout)
        if outcome.status == 0:
            return None
        message = (self._timed_out(timeout) if outcome.timed_out
                   else "the Python block failed (lint, an exception or its #> output)")
        return Failure(block.origin, message, command=block.body, kind="python",
                       block_origin=block.origin, status=outcome.status, output=outcome.output)

    def _start_background(self, block: Block) -> Failure | None:
        script = (block.body if block.kind != "console"
                  else "\n".join(command.text for command in block.commands))
        try:
            _group, log = self.session.start_background(script)
        except SessionEnded as ended:
            return Failure(block.origin, str(ended), block_origin=block.origin)
        self.background_logs.append(log)
        return None


def _note_began(began: dict[int, float], owners: list[tuple[Block, Command]],
                outcomes: list[Outcome | None]) -> None:
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


BASE_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def _base_compose_file(path: Path) -> Path | None:
    """The Compose file Compose itself would read in `path`'s directory, when that is
    another file: what an override written beside it is merged onto."""
    for name in BASE_COMPOSE_NAMES:
        candidate = path.parent / name
        if candidate.is_file() and candidate.resolve() != path.resolve():
            return candidate
    return None


def _is_compose_file(path: Path, text: str) -> bool:
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in COMPOSE_NAMES):
        return True
    if not re.search(r"^services:", text, re.MULTILINE):
        return False
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and "services" in loaded
