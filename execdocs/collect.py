"""Turn a Markdown file into a `Page` the runner can execute, or refuse it.

`load_page(path, project)` reads the page's front matter options, renders the page as
the site shows it (`execdocs.render`), finds its fences (`execdocs.fences`), reads
their options (`execdocs.options`) and splits console blocks into commands
(`execdocs.transcript`). Every check happens here, before anything runs: a page that
loads is a page the runner can execute; otherwise `InvalidPage` says where and why.
"""

from __future__ import annotations

from pathlib import Path

from execdocs.config import Project
from execdocs.fences import Fence, find_fences
from execdocs.model import Block, InvalidPage, Origin, Page
from execdocs.options import block_kind, parse_info
from execdocs.render import RenderedPage, render_page
from execdocs.transcript import parse_transcript

PAGE_OPTIONS = ("skip", "timeout")
FRONT_MATTER_KEY = "execdocs"


def load_page(path: Path, project: Project | None) -> Page:
    """The page at `path`, rendered with `project`'s mkdocs.yml (None: as written).

    Raises `InvalidPage` (with file:line) for anything the runner would not run.
    """
    path = Path(path)
    rendered = render_page(path, project)
    options = page_options(rendered)
    blocks = [_block(fence, rendered, project) for fence in _fences(rendered)]
    return Page(path=path, blocks=blocks, options=options)


def _fences(rendered: RenderedPage) -> list[Fence]:
    return find_fences(rendered.lines, rendered.origins)


def _block(fence: Fence, rendered: RenderedPage, project: Project | None) -> Block:
    origin = rendered.origins[fence.open_line]
    lang, options = parse_info(fence.info, origin)
    kind = block_kind(lang, options, origin)
    if project is not None and "requires" in options:
        name = options["requires"]
        if name not in project.conditions:
            defined = ", ".join(sorted(project.conditions)) or "none"
            raise InvalidPage(
                origin,
                f"requires={name!r} names no condition of the project (defined: {defined});"
                " add it under the execdocs plugin's `conditions:` in mkdocs.yml",
            )
    if kind == "shown" and options:
        raise InvalidPage(
            origin,
            f"```{lang or '(no language)'} blocks are shown, not run, so"
            f" {', '.join(options)} does nothing; remove the option or change the language",
        )
    line_origins = [rendered.origins[fence.body_line(k)] for k in range(len(fence.body))]
    commands = parse_transcript(fence.body, line_origins) if kind == "console" else []
    if kind == "console" and not commands and options.get("test") != "skip":
        raise InvalidPage(origin, "this console block has no command; add `$ command` lines")
    if "exit" in options and kind not in ("console", "shell"):
        raise InvalidPage(origin, "exit= goes on console and shell blocks; remove it here")
    return Block(
        lang=lang,
        kind=kind,
        options=options,
        body="\n".join(fence.body),
        origin=origin,
        line_origins=line_origins,
        hidden=fence.hidden,
        commands=commands,
    )


def page_options(rendered: RenderedPage) -> dict[str, object]:
    """The `execdocs:` options of the page's front matter, checked."""
    origin = rendered.meta_origin or Origin(rendered.path, 1)
    options = rendered.meta.get(FRONT_MATTER_KEY)
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InvalidPage(
            origin, "front matter `execdocs:` must be a mapping, e.g. `timeout: 1800`"
        )
    for key in options:
        if key not in PAGE_OPTIONS:
            raise InvalidPage(
                origin,
                f"unknown page option execdocs.{key}; the page options are: "
                + ", ".join(PAGE_OPTIONS),
            )
    if "skip" in options:
        reason = options["skip"]
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidPage(
                origin, 'execdocs.skip is the reason the page is not run; write skip: "why"'
            )
    if "timeout" in options:
        timeout = options["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise InvalidPage(
                origin, "execdocs.timeout is the page's limit in seconds; write e.g. timeout: 1800"
            )
    return dict(options)
