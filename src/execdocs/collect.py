"""Turn a Markdown file into a `Page` the runner can execute, or refuse it.

`load_page(path, project)` reads the page's front matter options, renders the page as
the site shows it (`execdocs.render`), finds its fences (`execdocs.fences`), reads
their options (`execdocs.options`) and splits console blocks into commands
(`execdocs.transcript`). Every check happens here, before anything runs: a page that
loads is a page the runner can execute; otherwise `InvalidPage` says where and why.
"""

from __future__ import annotations

from pathlib import Path

from execdocs.conditions import check_defined
from execdocs.config import Project
from execdocs.fences import Fence, scan_fences
from execdocs.model import Block, InvalidPage, Origin, Page
from execdocs.options import block_kind, parse_info
from execdocs.render import RenderedPage, render_page
from execdocs.site_markdown import SiteMarkdown
from execdocs.transcript import parse_transcripts

PAGE_OPTIONS = ("skip", "timeout", "alone")
FRONT_MATTER_KEY = "execdocs"


def load_page(path: Path, project: Project | None) -> Page:
    """The page at `path`, rendered with `project`'s mkdocs.yml (None: as written).

    Raises `InvalidPage` (with file:line) for anything the runner would not run, carrying
    every problem of the page, not just the first.
    """
    path = Path(path)
    markdown = SiteMarkdown.of_project(project) if project is not None else None
    rendered = render_page(path, project, markdown)
    problems: list[InvalidPage] = []
    options = _checked(page_options, rendered, problems=problems) or {}
    fences, fence_problems = scan_fences(rendered.lines, rendered.origins, markdown)
    problems += fence_problems
    blocks = [
        block
        for fence in fences
        if (block := _checked(_block, fence, rendered, project, problems=problems)) is not None
    ]
    consoles = [block for block in blocks if block.kind == "console"]
    transcripts, transcript_problems = parse_transcripts(
        [(block.body.split("\n"), block.line_origins) for block in consoles]
    )
    problems += transcript_problems
    for block, commands in zip(consoles, transcripts, strict=True):
        block.commands = commands or []
        if commands == [] and block.options.get("test") != "skip":
            message = "this console block has no command; add `$ command` lines"
            problems.append(InvalidPage(block.origin, message))
    if problems:  # the page's own lines first, in order; then included files'
        where = Path(path).resolve()
        problems.sort(key=lambda p: (p.origin.path.resolve() != where, p.origin.line))
        raise InvalidPage.several(problems)
    return Page(path=path, blocks=blocks, options=options)


def _checked(check, *arguments, problems: list[InvalidPage]):
    """`check(*arguments)`, or None with its InvalidPage added to `problems`."""
    try:
        return check(*arguments)
    except InvalidPage as error:
        problems.append(error)
        return None


def _block(fence: Fence, rendered: RenderedPage, project: Project | None) -> Block:
    origin = rendered.origins[fence.open_line]
    lang, options = parse_info(fence.info, origin)
    kind = block_kind(lang, options, origin)
    if project is not None and "requires" in options:
        check_defined(options["requires"], project.conditions, origin)
    if kind == "shown" and options:
        raise InvalidPage(
            origin,
            f"```{lang or '(no language)'} blocks are shown, not run, so"
            f" {', '.join(options)} does nothing; remove the option or change the language",
        )
    if "exit" in options and kind not in ("console", "shell"):
        raise InvalidPage(origin, "exit= goes on console and shell blocks; remove it here")
    if kind == "screenshot" and not any(line.strip() for line in fence.body):
        raise InvalidPage(origin, "a ```screenshot block's text describes the picture for"
                                  " readers who cannot see it; write what it shows")
    line_origins = [rendered.origins[fence.body_line(k)] for k in range(len(fence.body))]
    return Block(
        lang=lang,
        kind=kind,
        options=options,
        body="\n".join(fence.body),
        origin=origin,
        line_origins=line_origins,
        hidden=fence.hidden,
    )


def page_options(rendered: RenderedPage) -> dict[str, object]:
    """The `execdocs:` options of the page's front matter, checked (every problem)."""
    origin = rendered.meta_origin or Origin(rendered.path, 1)
    options = rendered.meta.get(FRONT_MATTER_KEY)
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InvalidPage(
            origin, "front matter `execdocs:` must be a mapping, e.g. `timeout: 1800`"
        )
    problems = [
        f"unknown page option execdocs.{key}; the page options are: " + ", ".join(PAGE_OPTIONS)
        for key in options
        if key not in PAGE_OPTIONS
    ]
    if "skip" in options:
        reason = options["skip"]
        if not isinstance(reason, str) or not reason.strip():
            problems.append('execdocs.skip is the reason the page is not run; write skip: "why"')
    if "alone" in options:
        reason = options["alone"]
        if not isinstance(reason, str) or not reason.strip():
            problems.append('execdocs.alone says why no other page may run beside this one;'
                            ' write alone: "why"')
    if "timeout" in options:
        timeout = options["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            problems.append(
                "execdocs.timeout is the page's limit in seconds; write e.g. timeout: 1800"
            )
    if problems:
        raise InvalidPage.several([InvalidPage(origin, message) for message in problems])
    return dict(options)
