"""Macros of the site itself: the landing page's coverage summary and the notes by task."""

from __future__ import annotations

from pathlib import Path

from .coverage_macro import COVERAGE_FILE, read_coverage, render_coverage
from .progress.by_task import tasks_table
from .progress.settings import load_settings


def define_site_macros(env) -> None:
    config_file = Path(env.conf["config_file_path"])
    root = Path(env.project_dir)

    @env.macro
    def execdocs_coverage() -> str:
        """The last executable-docs run in one sentence (or that there was none)."""
        return render_coverage(read_coverage(root / COVERAGE_FILE))

    @env.macro
    def progress_by_task() -> str:
        """The progress notes grouped by task, as a table linking every note."""
        page_dir = Path(env.page.file.abs_src_path).parent
        return tasks_table(load_settings(config_file), page_dir)
