"""Run a Markdown page written in a test, with no Docker engine."""

from __future__ import annotations

from pathlib import Path

from execdocs.collect import load_page
from execdocs.docker_engine import Engine
from execdocs.results import PageResult
from execdocs.runner import Runner


def write_page(directory: Path, text: str, name: str = "page.md") -> Path:
    page = directory / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)
    return page


def make_runner(tmp_path: Path, **options) -> Runner:
    runs = tmp_path / "runs"
    runs.mkdir(exist_ok=True)
    return Runner(engine=Engine.absent(), runs_base=runs, project_root=tmp_path, **options)


def run_text(tmp_path: Path, text: str, **options) -> PageResult:
    """Write `text` as docs/page.md under tmp_path and run it."""
    page = write_page(tmp_path / "docs", text)
    with make_runner(tmp_path, **options) as runner:
        return runner.run_page(load_page(page, None))


def statuses(result: PageResult) -> list[str]:
    return [block.status for block in result.blocks]
