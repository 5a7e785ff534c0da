"""Macros of the site itself: the landing page's summary of the last recorded run and the
notes by task.

They run under mkdocs-macros and under Zensical's own macros support, whose `env` has
no `conf["config_file_path"]` and whose `env.page` is not MkDocs' page (it has `path`,
relative to `docs_dir`, instead of `file.abs_src_path`)."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.macros.coverage import RECORDINGS_FILE, read_last_run, render_last_run
from papertrade_docs.notes.by_task import tasks_table
from papertrade_docs.notes.reference import authors_table, categories_list
from papertrade_docs.notes.settings import load_settings

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def config_file_of(env) -> Path:
    """The site's mkdocs.yml: MkDocs names it; under Zensical, the project's root holds it."""
    named = env.conf.get("config_file_path")
    if named:
        return Path(named)
    root = Path(env.project_dir)
    return next((root / name for name in CONFIG_NAMES if (root / name).is_file()),
                root / CONFIG_NAMES[0])


def page_source(env) -> Path:
    """The current page's source file, under either generator."""
    file = getattr(env.page, "file", None)
    if file is not None:  # MkDocs
        return Path(file.abs_src_path)
    return Path(env.project_dir) / env.conf.get("docs_dir", "docs") / env.page.path


def define_site_macros(env) -> None:
    config_file = config_file_of(env)
    root = Path(env.project_dir)

    @env.macro
    def execdocs_coverage() -> str:
        """The last recorded run of every page (`make record`), or that there was none."""
        return render_last_run(read_last_run(root / RECORDINGS_FILE))

    @env.macro
    def progress_by_task() -> str:
        """The progress notes grouped by task, as a table linking every note."""
        return tasks_table(load_settings(config_file), page_source(env).parent)

    @env.macro
    def note_categories() -> str:
        """The categories a note may name, from the blog plugin's `categories_allowed`."""
        return categories_list(load_settings(config_file))

    @env.macro
    def note_authors() -> str:
        """The authors a note may name, as a table, from the blog plugin's authors file."""
        return authors_table(load_settings(config_file))
