"""pytest plugin: with `--execdocs`, each Markdown page given on the command line (or
under a given directory) is one test item whose id is the page's path.

An invalid page is a collection error naming file:line, so nothing runs. A failing page
shows the runner's failure report. The coverage summary ends the run and is written as
JSON. With `--execdocs-shard I/N` only this shard's share of the pages runs (`shards`),
and the summary says which pages the split gave to each shard, for the merge. Without
`--execdocs` the plugin does nothing.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from pathlib import Path

import pytest

from execdocs import coverage, recordings, report
from execdocs.docker_engine import EngineError
from execdocs.invocation import load_project, load_runnable_page, make_runner, recordings_path
from execdocs.model import InvalidPage
from execdocs.results import PageResult
from execdocs.runner import Runner
from execdocs.shards import Shard, split
from execdocs.signals import sigterm_interrupts

_STATE = pytest.StashKey["_RunState"]()
_COVERAGE = "execdocs-coverage"  # the user property carrying a page's coverage
_RECORDING = "execdocs-recording"  # with --execdocs-record: (page key, its recording)
_SHARD = "execdocs_shard"  # an xdist worker's output: the split it computed
# Report hooks get no config: they reach the run's state through this (one per process).
_state: _RunState | None = None


class _RunState:
    def __init__(self, config: pytest.Config):
        self.config = config
        # Filled from test and collection reports, so that with pytest-xdist the
        # controller gathers what every worker ran.
        self.pages: dict[str, coverage.PageCoverage] = {}  # by node id
        self.recorded: dict[str, dict] = {}  # with --execdocs-record: by page key
        self._runner: Runner | None = None
        self.shard: Shard | None = None  # with --execdocs-shard
        # The split, once the pages are collected: {"index", "count", "pages": this
        # shard's, "all_pages"}; under xdist the controller gets it from its workers.
        self.assignment: dict | None = None

    @functools.cached_property
    def record_to(self) -> Path | None:
        """The recordings file, with --execdocs-record (else None)."""
        if not self.config.getoption("execdocs_record"):
            return None
        return recordings_path(self.project)

    @functools.cached_property
    def machine(self) -> recordings.Machine:
        return recordings.Machine.of(self.runner.engine)

    @functools.cached_property
    def project(self):
        config_path = self.config.getoption("execdocs_config")
        return load_project(Path(config_path) if config_path else None)

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = make_runner(self.project, self.config.getoption("execdocs_update"))
            self._runner.start()
        return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("execdocs", "executable documentation")
    group.addoption("--execdocs", action="store_true",
                    help="collect Markdown pages (*.md) as tests and run their blocks")
    group.addoption("--execdocs-update", action="store_true",
                    help="rewrite the expected output of console commands that did not match")
    group.addoption("--execdocs-record", action="store_true",
                    help="write what each console command printed, and how each page ran, to"
                         " the recordings file of mkdocs.yml (pages not run are kept)")
    group.addoption("--execdocs-config", metavar="PATH",
                    help="the project's mkdocs.yml (default: ./mkdocs.yml if present)")
    group.addoption("--execdocs-shard", metavar="I/N",
                    help="run only the I-th of N shares of the pages, balanced by the durations"
                         " in the recordings file (one share per CI runner)")
    group.addoption("--execdocs-coverage-json", metavar="PATH",
                    default=str(coverage.DEFAULT_JSON),
                    help=f"where to write the coverage summary (default: {coverage.DEFAULT_JSON})")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("execdocs", default=False))


def pytest_configure(config: pytest.Config) -> None:
    global _state
    if _enabled(config):
        _state = config.stash[_STATE] = _RunState(config)
        try:
            _state.record_to  # noqa: B018 - a run that cannot record stops before it runs
        except InvalidPage as error:
            raise pytest.UsageError(str(error)) from None
        if config.getoption("execdocs_shard"):
            try:
                _state.shard = Shard.parse(config.getoption("execdocs_shard"))
            except ValueError as error:
                raise pytest.UsageError(str(error)) from None
    elif config.getoption("execdocs_shard", default=None):
        raise pytest.UsageError("--execdocs-shard splits pages: add --execdocs")


@pytest.hookimpl(tryfirst=True)  # split every collected page, before -k or --lf narrow them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _enabled(config):
        return
    state = config.stash[_STATE]
    if state.shard is not None:
        _keep_this_shard(config, state, items)
    if hasattr(config, "workerinput"):  # pytest-xdist hands the items out in this order
        _longest_first(state, items)


def _longest_first(state: _RunState, items: list[pytest.Item]) -> None:
    """Pages side by side end soonest when the longest start first (each worker then
    takes the next); an `alone` page goes last, as it waits for the others anyway.
    Every worker sorts the same way, as pytest-xdist requires."""
    seconds = _recorded_seconds(state, list(_pages_by_name(items)))

    def rank(item: pytest.Item) -> tuple[bool, float]:
        if not isinstance(item, PageItem):
            return False, 0.0
        return (bool(item.page.options.get("alone")),
                -seconds.get(coverage.page_name(item.page.path), 0.0))

    items.sort(key=rank)


def _pages_by_name(items: list[pytest.Item]) -> dict[str, PageItem]:
    return {coverage.page_name(item.page.path): item for item in items
            if isinstance(item, PageItem)}


def _keep_this_shard(config: pytest.Config, state: _RunState, items: list[pytest.Item]) -> None:
    pages = _pages_by_name(items)
    # An invalid page is a collection error in every shard; its entry goes to one.
    invalid = [page.page for page in state.pages.values() if page.status == "invalid"]
    names = [*pages, *invalid]
    shares = split(names, _recorded_seconds(state, names), state.shard.count)
    mine = shares[state.shard.index - 1]
    state.assignment = {"index": state.shard.index, "count": state.shard.count,
                        "pages": mine, "all_pages": sorted(set(names))}
    others = [item for name, item in pages.items() if name not in mine]
    if others:
        config.hook.pytest_deselected(items=others)
        items[:] = [item for item in items if item not in others]
    if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
        config.workeroutput[_SHARD] = state.assignment


def _recorded_seconds(state: _RunState, names: list[str]) -> dict[str, float]:
    """How long each page took when last recorded (none without a recordings file)."""
    try:
        path = recordings_path(state.project)
        found = recordings.Recordings.load(path)
    except (InvalidPage, recordings.RecordingsError):
        return {}  # nothing recorded: the split counts pages instead
    seconds = {}
    for name in names:
        page = found.page(recordings.page_key(Path(name), state.project.root))
        if page is not None and isinstance(page.data.get("seconds"), int | float):
            seconds[name] = float(page.data["seconds"])
    return seconds


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist's controller: the split its workers computed (each computes the same)."""
    if _state is not None and _SHARD in getattr(node, "workeroutput", {}):
        _state.assignment = node.workeroutput[_SHARD]


def pytest_sessionfinish(session: pytest.Session) -> None:
    # A shard that the split left without pages has passed, not failed to collect.
    state = _state
    if (state is not None and state.assignment is not None and not state.assignment["pages"]
            and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.OK


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    if not _enabled(session.config):
        return (yield)
    with sigterm_interrupts():  # so SIGTERM cleans up like Ctrl-C
        return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _state
    if _enabled(config):
        config.stash[_STATE].close()
        _state = None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _enabled(parent.config) and file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self):
        state = self.config.stash[_STATE]
        page = load_runnable_page(_as_given(self.path), state.project)
        # The item's id is the page's path, as the contract promises.
        yield PageItem.from_parent(self, name=self.path.name, nodeid=self.nodeid, page=page)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, InvalidPage):
            return report.invalid_page_report(excinfo.value)
        return super().repr_failure(excinfo, style)


def _as_given(path: Path) -> Path:
    """Relative to the current directory when inside it, so reports show short paths."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


class PageFailed(Exception):
    def __init__(self, result: PageResult):
        super().__init__(str(result.path))
        self.result = result


class PageItem(pytest.Item):
    def __init__(self, *, page, **kwargs):
        super().__init__(**kwargs)
        self.page = page

    def runtest(self) -> None:
        state = self.config.stash[_STATE]
        result = state.runner.run_page(self.page)
        self.user_properties.append((_COVERAGE, asdict(coverage.page_coverage(result))))
        if state.record_to is not None and not result.skipped_for_now:
            key = recordings.page_key(self.page.path, state.project.root)
            record = recordings.page_record(self.page, result, state.machine,
                                              root=state.project.root)
            self.user_properties.append((_RECORDING, [key, record]))
        if result.skipped:
            pytest.skip(result.skipped)
        if not result.passed:
            raise PageFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PageFailed):
            return report.failure_report(excinfo.value.result)
        if isinstance(excinfo.value, EngineError):
            return f"{self.nodeid}: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"execdocs page {self.nodeid}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _state is None or report.when != "teardown":  # teardown: every page has one
        return
    for key, value in report.user_properties:
        if key == _COVERAGE:
            _state.pages[report.nodeid] = coverage.PageCoverage(**value)
        elif key == _RECORDING:
            page, record = value
            _state.recorded[page] = record


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # Each xdist worker collects every page: the same error may come more than once.
    if _state is not None and report.failed and report.nodeid.endswith(".md"):
        message = str(report.longrepr).strip().splitlines()[-1]
        _state.pages[report.nodeid] = coverage.invalid_page_coverage(report.nodeid, message)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if not _enabled(config):
        return
    state = config.stash[_STATE]
    pages = list(state.pages.values())
    if state.assignment is not None:  # this shard's pages only, in the split's order
        order = {name: k for k, name in enumerate(state.assignment["pages"])}
        pages = sorted((page for page in pages if page.page in order),
                       key=lambda page: order[page.page])
    if not pages and state.shard is None:
        return
    summary = coverage.Summary(
        pages, run=coverage.this_run(state.project.root if state.project else None),
        shard=state.assignment, recordings=state.recorded if state.record_to else None)
    terminalreporter.write_sep("=", "execdocs coverage")
    terminalreporter.write_line(summary.table())
    path = Path(config.getoption("execdocs_coverage_json"))
    summary.write_json(path)
    if state.assignment is not None:
        terminalreporter.write_line(
            f"shard {state.shard}: {len(state.assignment['pages'])} of"
            f" {len(state.assignment['all_pages'])} page(s)")
    terminalreporter.write_line(f"coverage written to {path}")
    if state.recorded:
        recordings.write(state.record_to, state.recorded, state.project.root)
        terminalreporter.write_line(
            f"{len(state.recorded)} page(s) recorded in {state.record_to}")
