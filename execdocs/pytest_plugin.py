"""pytest plugin: with `--execdocs`, each Markdown page given on the command line (or
under a given directory) is one test item whose id is the page's path.

An invalid page is a collection error naming file:line, so nothing runs. A failing page
shows the runner's failure report. The coverage summary ends the run and is written as
JSON. Without `--execdocs` the plugin does nothing.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from pathlib import Path

import pytest

from execdocs import coverage, recordings, report
from execdocs.invocation import load_project, load_runnable_page, make_runner, recordings_path
from execdocs.model import InvalidPage
from execdocs.results import PageResult
from execdocs.runner import Runner
from execdocs.signals import sigterm_interrupts

_STATE = pytest.StashKey["_RunState"]()
_COVERAGE = "execdocs-coverage"  # the user property carrying a page's coverage
_RECORDING = "execdocs-recording"  # with --execdocs-record: (page key, its recording)
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

    @functools.cached_property
    def record_to(self) -> Path | None:
        """The recordings file, with --execdocs-record (else None)."""
        if not self.config.getoption("execdocs_record"):
            return None
        return recordings_path(self.project)

    @functools.cached_property
    def machine(self) -> recordings.Machine:
        return recordings.Machine.of(self.runner.engine.docker)

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
        if state.record_to is not None:
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
    if not state.pages:
        return
    summary = coverage.Summary(list(state.pages.values()))
    terminalreporter.write_sep("=", "execdocs coverage")
    terminalreporter.write_line(summary.table())
    path = Path(config.getoption("execdocs_coverage_json"))
    summary.write_json(path)
    terminalreporter.write_line(f"coverage written to {path}")
    if state.recorded:
        recordings.write(state.record_to, state.recorded, state.project.root)
        terminalreporter.write_line(
            f"{len(state.recorded)} page(s) recorded in {state.record_to}")
