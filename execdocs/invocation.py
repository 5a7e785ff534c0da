"""What the command line and the pytest plugin share: which mkdocs.yml, which pages,
and a runner set up from the project."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from execdocs.collect import load_page
from execdocs.config import CONFIG_NAMES, Project
from execdocs.model import InvalidPage, Page
from execdocs.runner import Runner


def load_project(config: Path | None) -> Project | None:
    """The project of `config`, else of ./mkdocs.yml if there is one, else None (pages are
    then run as written). Raises `InvalidProject`."""
    if config is not None:
        return Project.load(config)
    for name in CONFIG_NAMES:
        if Path(name).is_file():
            return Project.load(Path(name))
    return None


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The given files, and the *.md files under the given directories, in order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.md")) if path.is_dir() else [path]
    return list(dict.fromkeys(found))


def load_runnable_page(path: Path, project: Project | None) -> Page:
    """The page at `path`, checked until nothing but running it can fail: raises
    `InvalidPage` with file:line. (Without a project there are no conditions.)"""
    page = load_page(path, project)
    conditions = project.conditions if project else {}
    for block in page.blocks:
        name = block.options.get("requires")
        if name is not None and name not in conditions:
            where = "in mkdocs.yml" if project else "(no mkdocs.yml: give one with --config)"
            raise InvalidPage(
                block.origin,
                f"requires={name!r} names no condition of the project {where}; define it"
                " under the execdocs plugin's `conditions:`",
            )
    return page


def make_runner(project: Project | None, update: bool) -> Runner:
    return Runner(
        project.conditions if project else {},
        project_root=project.root if project else None,
        update_mode=update,
    )
