"""The reader's view of a page, with every line traced back to where it was written.

`render_page` does what `mkdocs build` does to a page's Markdown before it becomes HTML:
front matter split off (as MkDocs splits it), mkdocs-macros run with the project's
config (its own `on_config` and `on_page_markdown`), then `--8<--` includes expanded
(`execdocs.snippets`). Without a project there is no rendering: the page is read as
written.

Line mapping: macros may change lines but must not create or remove fences. The
fences of the source and of the rendered page are paired in order; inside each pair,
and between pairs, rendered lines are matched to source lines with difflib. A rendered
line that equals its source line maps 1:1; a changed or added line maps to the source
line it came from (the macro call), which `execdocs.update` uses to refuse rewriting it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from execdocs.config import InvalidProject, Project
from execdocs.fences import find_fences
from execdocs.model import InvalidPage, Origin
from execdocs.snippets import EXTENSION as SNIPPETS
from execdocs.snippets import expand, snippet_preprocessor

if TYPE_CHECKING:  # MkDocs' structures are imported only when a page has a project
    from mkdocs.structure.files import File

    from execdocs.site_markdown import SiteMarkdown


@dataclass
class RenderedPage:
    path: Path  # the source file, as given
    lines: list[str]  # the reader's view, front matter removed
    origins: list[Origin]  # one per line of `lines`
    meta: dict[str, Any] = field(default_factory=dict)  # front matter
    meta_origin: Origin | None = None  # the first line of the front matter, if any


def read_source(path: Path) -> str:
    """A page's text with newlines normalised, or InvalidPage if it cannot be read.

    Read as MkDocs reads it (utf-8-sig): a byte-order mark is not part of the text, so
    it cannot hide the front matter."""
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as error:
        message = f"cannot read the page ({error}); check the path"
        raise InvalidPage(Origin(path, 1), message) from None


def split_front_matter(text: str) -> tuple[str, dict[str, Any], int]:
    """(body, front matter, number of lines before the body), as MkDocs splits them."""
    from mkdocs.utils.meta import get_data

    body, meta = get_data(text)
    if not text.endswith(body):  # MkDocs only ever removes a prefix; be safe anyway
        return text, {}, 0
    return body, meta, text[: len(text) - len(body)].count("\n")


def render_page(
    path: Path, project: Project | None, markdown: SiteMarkdown | None = None
) -> RenderedPage:
    """The page at `path` as the built site's Markdown, with origins; see the module doc.

    `markdown` is the site's Markdown (`SiteMarkdown.of_project`), which finds fences."""
    text = read_source(path)
    body, meta, offset = split_front_matter(text)
    source = body.split("\n")
    origins = [Origin(path, offset + k + 1) for k in range(len(source))]
    meta_origin = Origin(path, 1) if offset else None
    if project is None:
        return RenderedPage(path, source, origins, meta, meta_origin)

    rendered = _run_macros(project, path, body, meta, offset)
    lines = source if rendered is None else rendered.split("\n")
    if lines == source[: len(lines)]:  # unchanged, or only the final newline dropped
        origins = origins[: len(lines)]
    else:
        origins = map_rendered(lines, source, origins, markdown)

    options = project.markdown_extension_config(SNIPPETS)
    if options is not None:
        preprocessor = project.rendering_state.get("snippets")
        if preprocessor is None:
            preprocessor = snippet_preprocessor(options, project.root)
            project.rendering_state["snippets"] = preprocessor
        lines, origins = expand(lines, origins, preprocessor)
    return RenderedPage(path, lines, origins, meta, meta_origin)


# --- line mapping ----------------------------------------------------------------------


def map_rendered(
    rendered: Sequence[str],
    source: Sequence[str],
    source_origins: Sequence[Origin],
    markdown: SiteMarkdown | None = None,
) -> list[Origin]:
    """The origin of each rendered line: fences paired in order, lines by difflib."""
    source_fences = find_fences(source, source_origins, markdown)
    rough = map_lines(rendered, source, source_origins)
    rendered_fences = find_fences(rendered, rough, markdown)
    if len(rendered_fences) != len(source_fences):
        differ = next(
            (
                k
                for k, (a, b) in enumerate(zip(rendered_fences, source_fences, strict=False))
                if a.lang != b.lang
            ),
            min(len(rendered_fences), len(source_fences)),
        )
        near = source_fences[min(differ, len(source_fences) - 1)] if source_fences else None
        raise InvalidPage(
            source_origins[near.open_line] if near else source_origins[0],
            f"macros turn the page's {len(source_fences)} fenced blocks into"
            f" {len(rendered_fences)}; macros may change text inside blocks but must not"
            " create or remove fences",
        )
    origins: list[Origin] = []
    rendered_at = source_at = 0
    for ours, theirs in zip(rendered_fences, source_fences, strict=True):
        # The text before the fence, the fence's opening line, its body, its closing line.
        origins += map_lines(
            rendered[rendered_at : ours.open_line],
            source[source_at : theirs.open_line],
            source_origins[source_at : theirs.open_line],
        )
        origins.append(source_origins[theirs.open_line])
        origins += map_lines(
            rendered[ours.open_line + 1 : ours.close_line],
            source[theirs.open_line + 1 : theirs.close_line],
            source_origins[theirs.open_line + 1 : theirs.close_line],
            fallback=source_origins[theirs.open_line],
        )
        origins.append(source_origins[theirs.close_line])
        rendered_at, source_at = ours.close_line + 1, theirs.close_line + 1
    origins += map_lines(
        rendered[rendered_at:],
        source[source_at:],
        source_origins[source_at:],
        fallback=source_origins[source_at - 1] if source_at else source_origins[0],
    )
    return origins


def map_lines(
    new: Sequence[str],
    old: Sequence[str],
    old_origins: Sequence[Origin],
    fallback: Origin | None = None,
) -> list[Origin]:
    """The origin of each line of `new`, a rendering of `old`.

    Equal lines map 1:1; changed lines pair up in order, and the extra lines of a
    change map to the last old line it replaced (the macro call that made them).
    Added lines map to the old line above them, or `fallback`.
    """
    origins: list[Origin] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete":
            continue
        if tag in ("equal", "replace"):
            origins += [old_origins[min(i1 + k, i2 - 1)] for k in range(j2 - j1)]
            continue
        above = old_origins[i1 - 1] if i1 else (old_origins[0] if old_origins else fallback)
        origins += [above or fallback] * (j2 - j1)
    return origins


# --- mkdocs-macros ----------------------------------------------------------------------


def _run_macros(
    project: Project, path: Path, body: str, meta: dict[str, Any], offset: int
) -> str | None:
    """`body` rendered by the project's mkdocs-macros plugin, or None without one."""
    plugin = _macros_plugin(project)
    if plugin is None:
        return None
    from mkdocs.structure.pages import Page as MkDocsPage

    config = project.mkdocs_config
    page = MkDocsPage(None, _page_file(path, project), config)
    page.markdown, page.meta = body, meta
    try:
        return plugin.on_page_markdown(body, page=page, config=config, files=None)
    except SystemExit as stop:  # on_error_fail: mkdocs-macros exits; its cause is the error
        error = stop.__context__ or stop
    except Exception as raised:
        error = raised
    line = _template_line(error)
    origin = Origin(path, offset + line) if line else Origin(path, 1)
    raise InvalidPage(
        origin,
        f"mkdocs-macros cannot render the page: {type(error).__name__}:"
        f" {' '.join(str(error).split())}; fix the macro call",
    )


def _macros_plugin(project: Project) -> Any | None:
    """The project's mkdocs-macros plugin, configured once per project."""
    state = project.rendering_state
    if "macros" in state:
        return state["macros"]
    from mkdocs_macros.plugin import MacrosPlugin

    plugin = project.plugin(MacrosPlugin)
    if plugin is not None:
        include_dir = plugin.config.get("include_dir")
        if include_dir and not os.path.isabs(include_dir):
            # mkdocs runs from the project root; the runner may not.
            plugin.config["include_dir"] = str(project.root / include_dir)
        # A broken macro must refuse the page, not render an error message into it.
        plugin.config["on_error_fail"] = True
        try:
            plugin.on_config(project.mkdocs_config)
        except Exception as error:
            raise InvalidProject(
                Origin(project.config_file, 1),
                f"mkdocs-macros cannot start ({type(error).__name__}: {error});"
                " fix the macros module or its options",
            ) from None
    state["macros"] = plugin
    return plugin


def _page_file(path: Path, project: Project) -> File:
    from mkdocs.structure.files import File

    config = project.mkdocs_config
    path = path.resolve()
    if path.is_relative_to(project.docs_dir):
        src_dir, src_path = project.docs_dir, path.relative_to(project.docs_dir).as_posix()
    else:  # a Markdown file outside docs/: rendered with the project's macros all the same
        src_dir, src_path = path.parent, path.name
    return File(src_path, str(src_dir), config.site_dir, config.use_directory_urls)


def _template_line(error: BaseException) -> int | None:
    """The line of the page's template where rendering failed, if Jinja says."""
    line = getattr(error, "lineno", None)
    if isinstance(line, int) and type(error).__name__ == "TemplateSyntaxError":
        return line
    traceback = error.__traceback__
    found = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            found = traceback.tb_lineno
        traceback = traceback.tb_next
    return found
