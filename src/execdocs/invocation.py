"""What the command line and the pytest plugin share: which mkdocs.yml, which pages,
and a runner set up from the project."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from execdocs.collect import load_page
from execdocs.conditions import check_defined
from execdocs.config import CONFIG_NAMES, Project
from execdocs.model import InvalidPage, Origin, Page
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
        if "requires" in block.options:
            check_defined(block.options["requires"], conditions, block.origin)
    return page


def make_runner(project: Project | None, update: bool) -> Runner:
    return Runner(
        project.conditions if project else {},
        project_root=project.root if project else None,
        update_mode=update,
    )


RECORDING_EXTENSION = "execdocs.markdown_extension"


def recordings_path(project: Project | None) -> Path:
    """The recordings file a run with --record writes: the `recordings` option of the
    Markdown extension in mkdocs.yml, where the site's build reads it. Raises
    `InvalidPage` (at mkdocs.yml) when there is no project or no such option."""
    from execdocs.recordings import OPTION, recordings_file

    options = project.markdown_extension_config(RECORDING_EXTENSION) if project else None
    path = recordings_file(project.root, (options or {}).get(OPTION)) if project else None
    if path is None:
        where = Origin(project.config_file, 1) if project else Origin(Path("mkdocs.yml"), 1)
        raise InvalidPage(where, f"--record needs the file to write: add `{OPTION}: PATH`"
                                 f" under `{RECORDING_EXTENSION}` in markdown_extensions")
    return path
