"""The notes' index table: one row per task, newest task first, every note linked."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.notes.by_task import tasks_table
from papertrade_docs.notes.settings import load_settings

MKDOCS_YML = "plugins:\n  - blog:\n      blog_dir: progress\n      categories_allowed: [Site]\n"
AUTHORS = "authors:\n  ada:\n    name: Ada\n    description: x\n    avatar: a.svg\n"


def note(posts: Path, name: str, title: str, task: str, status: str) -> None:
    (posts / name).write_text(f"---\ntask: {task}\nstatus: {status}\n---\n\n# {title}\n")


def test_rows_group_notes_by_task_newest_task_first(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    posts = tmp_path / "docs" / "progress" / "posts"
    posts.mkdir(parents=True)
    (posts.parent / ".authors.yml").write_text(AUTHORS)
    note(posts, "2026-11-20_10-00-00_stack.md", "Stack begun", "the stack", "in-progress")
    note(posts, "2026-11-25_10-00-00_stack-done.md", "Stack done", "the stack", "done")
    note(posts, "2026-11-22_10-00-00_runner.md", "Runner", "the runner", "done")
    table = tasks_table(load_settings(tmp_path / "mkdocs.yml"), posts.parent).splitlines()
    assert table[:2] == ["| Task | Notes | Status |", "| --- | --- | --- |"]
    assert table[2] == ("| the stack | 2026-11-20 [Stack begun](posts/2026-11-20_10-00-00_stack.md)"
                        "<br>2026-11-25 [Stack done](posts/2026-11-25_10-00-00_stack-done.md)"
                        " | done |")
    assert table[3].startswith("| the runner | 2026-11-22 [Runner](posts/")
    assert len(table) == 4


def test_no_notes_says_so(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs" / "progress").mkdir(parents=True)
    (tmp_path / "docs" / "progress" / ".authors.yml").write_text(AUTHORS)
    assert tasks_table(load_settings(tmp_path / "mkdocs.yml"),
                       tmp_path / "docs" / "progress") == "*No notes yet.*"
