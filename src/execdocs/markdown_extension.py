"""Python-Markdown extension `execdocs.markdown_extension`: readers see code blocks, never
the test machinery, whichever generator builds the site (MkDocs or Zensical).

- Every line the site reads as opening a fence keeps its language and display options
  but loses its test options (`test`, `reason`, `wait`, ...), so it still renders as a
  highlighted code block; `file="path"` becomes `title="path"`, which
  pymdownx.highlight shows as the title.
- `<!-- execdocs ... -->` hidden blocks are removed entirely.
- With the `recordings` option (the file `execdocs run --record` writes), a console
  command whose expected output is a pattern (`...`, ` (re)`) shows the output recorded
  in the page's last run instead, and the page ends with when its blocks ran
  (`execdocs.recorded_view`); the patterns stay in the source, for the runner alone.

List it under `markdown_extensions` in mkdocs.yml. It cleans the page twice, each time
before pymdownx.superfences finds the fences: once after the macros have run (mkdocs-macros
runs before any Markdown; Zensical's macros preprocessor at priority 35) and before
pymdownx.snippets (32), on the page's own text, whose problems it reports at the source
`file:line`; and once right after pymdownx.snippets, for the text `--8<--` included
(skipped when nothing was included).

Fences are found as the site's own Markdown finds them (`SiteMarkdown`), so it needs the
site's extensions and the page being rendered:
- under MkDocs, the `execdocs` plugin passes them as the extension's `context`;
- under Zensical, they are read from its rendering context (its config and page);
- otherwise fences are found with Material's usual extensions and problems are reported
  against `(page)`.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from execdocs.fences import info_span, read_fences
from execdocs.model import InvalidPage, Origin
from execdocs.options import reader_info
from execdocs.recorded_view import RecordedView, load
from execdocs.recordings import RecordingsError, page_key
from execdocs.site_markdown import SiteMarkdown

NAME = "execdocs.markdown_extension"

# Python-Markdown preprocessors: Zensical's macros run at 35, pymdownx.snippets at 32,
# superfences' raw blocks at 31.05 and its fences at 25.
PAGE_TEXT = 33  # after the macros, before the snippets
INCLUDED_TEXT = 31.5  # after the snippets, before superfences

# Zensical's own extensions write text (macros, includes) or decorate the HTML; none
# decides where a fence lands, and the text they write is already there when we scan.
_ZENSICAL_OWN = "zensical."


class ReaderError(Exception):
    """A page whose fences the site cannot show as they are written (`file:line: ...`)."""


@dataclass
class PageSource:
    """Where the text being rendered comes from: its file and its first line's number."""

    path: Path
    first_line: int = 1


UNKNOWN_PAGE = PageSource(Path("(page)"))
INCLUDED = PageSource(Path("(included text)"))


@dataclass
class ReaderContext:
    """What the extension needs from the generator: the site's Markdown (to find fences
    as the site does), the page being rendered, and how to report a refused page."""

    markdown: SiteMarkdown = field(default_factory=SiteMarkdown)
    page: PageSource | None = None
    error: Callable[[str], Exception] = ReaderError
    root: Path | None = None  # the project's root (the recordings file is named from it)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def reader_lines(
    lines: Sequence[str], origins: Sequence[Origin], markdown: SiteMarkdown | None = None,
    recorded: RecordedView | None = None,
) -> list[str]:
    """`lines` as readers get them: test options stripped, hidden blocks removed, and
    with `recorded`, recorded output in place of patterns and the page's footer.

    Every line the site reads as opening a fence is cleaned, shown or not (one in an
    indented code block too): the site then finds the very fences the runner found."""
    page = read_fences(lines, origins, markdown)
    if page.problems:
        raise InvalidPage.several(page.problems)
    out = list(lines)
    for k in page.openers:
        start, end = info_span(out[k])
        out[k] = out[k][:start] + reader_info(out[k][start:end]) + out[k][end:]
    hidden = {k for first, last in page.comments for k in range(first, last + 1)}
    replaced = recorded.replacements(lines, origins, page.fences) if recorded else {}
    shown: list[str] = []
    k = 0
    while k < len(out):
        if k in replaced:
            k, instead = replaced[k]
            shown += instead
            continue
        if k not in hidden:
            shown.append(out[k])
        k += 1
    return shown + (recorded.footer() if recorded else [])


def reader_text(lines: Sequence[str], source: PageSource, context: ReaderContext,
                recorded: RecordedView | None = None) -> list[str]:
    """`reader_lines` of text from `source`; a problem raises `context.error`."""
    origins = [Origin(source.path, source.first_line + k) for k in range(len(lines))]
    try:
        with context.lock:  # one SiteMarkdown, which keeps state while it scans
            return reader_lines(lines, origins, context.markdown, recorded)
    except InvalidPage as error:
        raise context.error(f"execdocs: {error}") from None


class ReaderExtension(Extension):
    def __init__(self, **kwargs: Any):
        # Not None: Python-Markdown would make a given object a bool.
        self.config = {
            "context": ["", "a ReaderContext; the execdocs MkDocs plugin passes its own"],
            "recordings": ["", "the recordings file (execdocs --record), from the project's"
                               " root: recorded output in place of patterns"],
            "recorded_omit": [[], "regular expressions: recorded output lines that say"
                                  " something of the recording machine only, left out"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.registerExtension(self)
        state = _State()
        md.preprocessors.register(_PageText(md, self, state), "execdocs-page", PAGE_TEXT)
        md.preprocessors.register(
            _IncludedText(md, self, state), "execdocs-included", INCLUDED_TEXT
        )

    def context_for(self, md: Markdown) -> ReaderContext:
        given = self.getConfig("context")
        if isinstance(given, ReaderContext):
            return given
        zensical = _zensical_context(md)
        return zensical if zensical is not None else _default_context()

    def recorded_view(self, context: ReaderContext) -> RecordedView | None:
        """The recordings of the page being rendered (None: no page, or no recordings)."""
        named = self.getConfig("recordings")
        if context.page is None or not named:
            return None
        root = context.root or Path.cwd()
        try:
            recordings = load(root / named)
        except RecordingsError as error:
            raise context.error(f"execdocs: {error}") from None
        key = page_key(root / context.page.path, root)
        omit = tuple(re.compile(pattern) for pattern in self.getConfig("recorded_omit") or ())
        # Pictures are linked relative to the page's source, as Markdown images are.
        pictures_at = os.path.relpath((root / named).parent, (root / key).parent)
        return RecordedView(key, recordings.page(key), omit=omit,
                            pictures_at=Path(pictures_at).as_posix())


@dataclass
class _State:
    """Shared by the two preprocessors of one Markdown instance."""

    after_page: list[str] | None = None


class _PageText(Preprocessor):
    def __init__(self, md: Markdown, extension: ReaderExtension, state: _State):
        super().__init__(md)
        self.extension, self.state = extension, state

    def run(self, lines: list[str]) -> list[str]:
        context = self.extension.context_for(self.md)
        recorded = self.extension.recorded_view(context)
        out = reader_text(lines, context.page or UNKNOWN_PAGE, context, recorded)
        self.state.after_page = list(out)
        return out


class _IncludedText(Preprocessor):
    def __init__(self, md: Markdown, extension: ReaderExtension, state: _State):
        super().__init__(md)
        self.extension, self.state = extension, state

    def run(self, lines: list[str]) -> list[str]:
        if lines == self.state.after_page:  # nothing was included: already clean
            return lines
        return reader_text(lines, INCLUDED, self.extension.context_for(self.md))


@functools.cache
def _default_context() -> ReaderContext:
    return ReaderContext()


# Zensical: one context per set of extensions (its config is reloaded while serving).
_zensical: dict[str, ReaderContext] = {}


def _zensical_context(md: Markdown) -> ReaderContext | None:
    """The context of a page Zensical renders, from its rendering context (a preprocessor
    named `rendering_context` holding the project's config and the page)."""
    if "rendering_context" not in md.preprocessors:
        return None
    rendering = md.preprocessors["rendering_context"]
    config: Mapping[str, Any] | None = getattr(rendering, "config", None)
    if not config or "markdown_extensions" not in config:
        return None
    names = [
        name for name in config["markdown_extensions"]
        if isinstance(name, str) and name != NAME and not name.startswith(_ZENSICAL_OWN)
    ]
    configs = {name: (config.get("mdx_configs") or {}).get(name) or {} for name in names}
    key = repr((names, configs))
    if key not in _zensical:
        _zensical[key] = ReaderContext(SiteMarkdown(names, configs))
    context = _zensical[key]
    context.page = _zensical_page(config, getattr(rendering, "page", None))
    context.root = Path(config.get("root_dir") or ".")
    return context


def _zensical_page(config: Mapping[str, Any], page: Any) -> PageSource | None:
    """Zensical hands Markdown the page without its front matter, as MkDocs does, and
    names it relative to `docs_dir`."""
    if page is None or not getattr(page, "path", None):
        return None
    from execdocs.render import read_source, split_front_matter

    root = Path(config.get("root_dir") or ".")
    path = root / (config.get("docs_dir") or "docs") / page.path
    source = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        text = read_source(path)
    except InvalidPage:
        return PageSource(source)
    return PageSource(source, 1 + split_front_matter(text)[2])


def makeExtension(**kwargs: Any) -> ReaderExtension:  # noqa: N802 - Python-Markdown's name
    return ReaderExtension(**kwargs)
