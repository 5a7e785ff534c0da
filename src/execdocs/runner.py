"""Run a `Page`: its blocks top to bottom in one session, in a fresh copy of the
repository, stopping at the first failure; then stop what the page left running and
remove what it created in Docker, pass, fail or interrupt.

Each block is run by the evaluator of its kind (`execdocs.evaluators`); the runner
decides only what runs (skips, conditions, the first failure) and sets up and tears
down the page's copy, session and sandbox.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from execdocs import cleanup, evaluators, sandbox, update, workspace
from execdocs.conditions import Probes
from execdocs.diagnostics import page_diagnostics
from execdocs.docker_engine import Engine
from execdocs.engine_lock import engine_use
from execdocs.evaluators import PageState, console
from execdocs.model import Block, Command, Page
from execdocs.results import BlockResult, Failure, PageResult
from execdocs.session import Session
from execdocs.signals import uninterrupted
from execdocs.terminal import output_lines


class Runner:
    """Runs pages for one run: one run directory, one set of condition probes."""

    def __init__(self, conditions: dict[str, str] | None = None, *,
                 project_root: Path | None = None, update_mode: bool = False,
                 engine: Engine | None = None, runs_base: Path | None = None):
        self.project_root = project_root or Path.cwd()
        self.probes = Probes(conditions or {}, self.project_root)
        self.update_mode = update_mode
        self.engine = engine or Engine()
        self.runs_base = runs_base
        # Why pages share the host's network and names (None: each page has its own).
        self.not_isolated = sandbox.unavailable()
        self.run: workspace.Run | None = None
        self.started_at = 0.0  # when the run started (Unix time)

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
            with uninterrupted():
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
        result = PageResult(page.path)
        if page.options.get("skip"):
            return _skipped(result, page, str(page.options["skip"]))
        # Beside other pages, or alone when the page changes the engine for all.
        holding = (engine_use(self.run.root.parent, alone=bool(page.options.get("alone")))
                   if self.engine.available else contextlib.nullcontext())
        with holding:
            if page.options.get("alone") and self.engine.available:
                others = self.engine.running_others(self.run.id)
                if others:  # the page would change the engine under them
                    result.skipped_for_now = True
                    return _skipped(result, page, engine_not_free(str(page.options["alone"]),
                                                                  others))
            # Timed once the engine is held: the recorded seconds balance the shards, and
            # time spent waiting for another page is not this page's.
            started = time.monotonic()
            try:
                _PageRun(self, self.run, page, result).run()
            finally:
                result.seconds = time.monotonic() - started
        return result


def engine_not_free(why: str, others: list[str]) -> str:
    """Why a page that needs the engine to itself (`alone: why`) is skipped beside the
    running containers `others`."""
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return (f"it needs the engine to itself: {why}; containers this run did not start are "
            f"running ({shown}): stop them, or run it where nothing else runs")


def _skipped(result: PageResult, page: Page, reason: str) -> PageResult:
    """`result` for a page not run, each block marked with `reason`."""
    result.skipped = reason
    result.blocks = [BlockResult(b, _not_run_status(b), reason) for b in page.blocks]
    return result


def _not_run_status(block: Block) -> str:
    return "shown" if block.kind == "shown" else "skipped"


class _PageRun:
    """One page being run: its run directory, its deadline, and its result."""

    def __init__(self, runner: Runner, run: workspace.Run, page: Page, result: PageResult):
        self.runner = runner
        self.run_id, self.run_root = run.id, run.root
        self.engine = runner.engine
        self.page = page
        self.result = result
        page_timeout = page.options.get("timeout")
        self.deadline = time.monotonic() + float(page_timeout) if page_timeout else None
        self.started_at = time.time()
        self.directory = run.page_directory()

    def run(self) -> None:
        try:
            copy = workspace.copy_for_page(self.page.path, self.directory)
            scratch = self.directory / "scratch"
            scratch.mkdir()
            env = dict(os.environ)
            isolated = self.engine.available and self.runner.not_isolated is None
            box = sandbox.Sandbox(self.directory) if isolated else None
            if self.engine.available:
                shim = cleanup.write_shim(self.directory / "bin", self.engine, self.run_id,
                                          self.directory, copy, self.run_root,
                                          isolated=isolated)
                env["PATH"] = f"{shim.parent}{os.pathsep}{env.get('PATH', '')}"
            session = Session(copy, env, scratch, wrapper=box.wrapper() if box else ())
            state = PageState(session, copy, self.directory,
                              update_mode=self.runner.update_mode, deadline=self.deadline,
                              page_timeout=self.page.options.get("timeout"))
            try:
                workspace.record_session(self.directory, session.pid)
                if box:
                    box.start(session.pid)
                self._run_blocks(state)
            finally:
                with uninterrupted():
                    try:
                        self._finish(state)
                    finally:
                        if box:
                            box.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _run_blocks(self, state: PageState) -> None:
        blocks, position = self.page.blocks, 0
        while position < len(blocks) and self.result.failure is None:
            # A page with a timeout runs its blocks one by one, each within what is left.
            run = console.runs_together(blocks, position) if self.deadline is None else []
            if run:
                self.result.failure, results = console.evaluate_run(run, state)
                self.result.blocks += results
                position += len(run)
            else:
                self.result.blocks.append(self._run_block(blocks[position], state))
                position += 1
            refused = cleanup.refusal(self.directory)
            if refused and self.result.failure is not None:
                # The guard stopped a docker command before it ran: that is the news.
                self.result.failure.message = f"refused before it ran: {refused}"
        self.result.blocks += [BlockResult(b, "shown" if b.kind == "shown" else "not run")
                               for b in blocks[position:]]

    def _run_block(self, block: Block, state: PageState) -> BlockResult:
        options = block.options
        if block.kind == "shown":
            return BlockResult(block, "shown")
        if options.get("test") == "skip":
            return BlockResult(block, "skipped", options["reason"])
        if "requires" in options and not self.runner.probes.holds(options["requires"],
                                                                  block.origin):
            return BlockResult(block, "skipped", f"requires {options['requires']}")
        started = time.monotonic()
        failure, attempts = evaluators.evaluate(block, state)
        self.result.failure = failure
        return BlockResult(block, "failed" if failure else "passed",
                           seconds=time.monotonic() - started, attempts=attempts)

    def _finish(self, state: PageState) -> None:
        """Report context first (it needs the containers), then stop and remove."""
        self.result.outputs = {
            (b, c): output_lines(state.outputs[id(command)])
            for b, block in enumerate(self.page.blocks)
            for c, command in enumerate(block.commands) if id(command) in state.outputs}
        self.result.screenshots = {b: state.screenshots[id(block)]
                                   for b, block in enumerate(self.page.blocks)
                                   if id(block) in state.screenshots}
        try:
            if self.result.failure is not None:
                self.result.failure.diagnostics = page_diagnostics(
                    self.engine, state.copy, self.directory, state.background_logs)
        finally:
            try:
                state.session.close()
            finally:
                cleanup.clean_page(self.engine, self.run_id, state.copy, self.directory,
                                   self.started_at)
        if state.updates and self.result.failure is None:
            self._apply_updates(state.updates)

    def _apply_updates(self, updates: list[tuple[Command, str]]) -> None:
        try:
            update.update_page(self.page.path, updates)
        except update.UpdateRefused as refused:
            self.result.failure = Failure(refused.origin, f"cannot update: {refused.message}")
            return
        self.result.updated = [command.origin for command, _ in updates]
