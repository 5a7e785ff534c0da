"""Which fenced blocks the site shows, decided by the site's own Markdown.

The built site is Python-Markdown with the extensions `mkdocs.yml` enables, and its
fences are found by pymdownx.superfences: a preprocessor that finds them line by line
at any indentation, after which the block parser decides where each one lands (a list
item, an admonition, a content tab, a definition, an HTML block ...) or gives it back
as text (inside an indented code block). `SiteMarkdown.scan` runs that very Markdown on
a page, with two changes that do not move any block: its code blocks are rendered as
numbered markers instead of being highlighted, and no inline or tree processing is done.
A fence whose marker reaches the HTML outside a comment is a block a reader sees.

Each opening line is judged as the site judges it: after the execdocs Markdown extension
has taken the test options out of it (`options.reader_info`), which it does to every
line `scan` reports in `openers`. A line that plainly means to open a block (a language
and more words, or `key=` first) but that superfences does not take is reported in
`misread`, so that the runner can refuse a malformed option instead of silently not
running the block.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from execdocs.options import reader_info

if TYPE_CHECKING:
    from execdocs.config import Project

SUPERFENCES = "pymdownx.superfences"
# Expanded by execdocs itself (with origins) before a page gets here; and the extension
# that cleans fences for readers, which scans with this very class (each line is judged
# as cleaned already, below). Extensions given as objects are left out too.
_LEFT_OUT = ("pymdownx.snippets", "execdocs.markdown_extension")

# What a page outside any MkDocs project is read with: Material for MkDocs' usual set.
DEFAULT_EXTENSIONS = (
    "toc",
    "tables",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "pymdownx.details",
    SUPERFENCES,
    "pymdownx.tabbed",
)
DEFAULT_CONFIGS: Mapping[str, Mapping[str, Any]] = {"pymdownx.tabbed": {"alternate_style": True}}

# An opening line superfences would not take, that still plainly opens a block: a
# language and more words (`console wait=5`), or options with no language.
_MEANS_A_BLOCK = re.compile(r"\.?[\w#.+-]+[ \t]+\S|[A-Za-z_][\w-]*=")
_MARKER = re.compile(r"<execdocs-fence (\d+)>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class MarkdownFailed(Exception):
    """The site's Markdown itself raised on the page (mkdocs build would fail too)."""


@dataclass(frozen=True)
class Found:
    """A fence superfences closed. Lines index the `lines` given to `scan`."""

    start: int  # the opening line
    end: int  # the line after the closing one
    width: int  # columns of container prefix (spaces, tabs as 4, `>`) before the fence
    marker: str


@dataclass(frozen=True)
class Broken:
    """A fence that was opened but never closed."""

    start: int  # the opening line
    ended_by: int | None  # the line that ended it (less indented), None: the page's end


@dataclass
class Scan:
    """What the site's Markdown made of a page; lines index the `lines` given to `scan`."""

    found: list[Found]  # every fence superfences closed, shown or given back as text
    shown: list[Found]  # those the reader sees as blocks, in page order
    broken: list[Broken]
    openers: list[int]  # every line that opens a fence (closed or not, shown or not)
    misread: list[int]  # lines meant to open a fence that the site shows as text
    html: str = field(repr=False)


class SiteMarkdown:
    """Python-Markdown with a site's block extensions, used only to find its fences."""

    def __init__(
        self,
        extensions: Iterable[Any] = DEFAULT_EXTENSIONS,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
    ):
        names = [e for e in extensions if isinstance(e, str) and e not in _LEFT_OUT]
        if SUPERFENCES not in names:  # the runner finds fences as superfences does
            names.append(SUPERFENCES)
        self.extensions = list(dict.fromkeys(names))
        configs = DEFAULT_CONFIGS if configs is None else configs
        self.configs = {k: dict(v) for k, v in configs.items() if k in self.extensions}
        self._markdown: Any = None

    @classmethod
    def of_mkdocs_config(cls, config: Any) -> SiteMarkdown:
        """The Markdown of a loaded MkDocs config (its `markdown_extensions`)."""
        return cls(config.markdown_extensions, config.mdx_configs or {})

    @classmethod
    def of_project(cls, project: Project) -> SiteMarkdown:
        """The Markdown of `project`'s site, made once per project. Raises
        `InvalidProject` when its extensions cannot be loaded."""
        from execdocs.config import InvalidProject
        from execdocs.model import Origin

        state = project.rendering_state
        if "site_markdown" not in state:
            site = cls.of_mkdocs_config(project.mkdocs_config)
            try:
                site.build()
            except Exception as error:  # noqa: BLE001 - whatever the extension raises
                raise InvalidProject(
                    Origin(project.config_file, 1),
                    f"its markdown_extensions cannot be loaded ({type(error).__name__}:"
                    f" {error}); fix them until `mkdocs build` works",
                ) from None
            state["site_markdown"] = site
        return state["site_markdown"]

    @property
    def tab_length(self) -> int:
        return self._md().tab_length

    def build(self) -> None:
        """Load the extensions now (raises what Python-Markdown raises for a bad one)."""
        self._md()

    def scan(self, lines: Sequence[str], force: Mapping[int, bool] | None = None) -> Scan:
        """The fences of `lines`. `force` says, for some lines, whether they open a fence
        (whatever their text: for probing where a line ends up)."""
        text = "\n".join(lines).replace("\r", " ")  # a lone CR would make a line of its own
        if not text.strip():
            return Scan([], [], [], [], [], "")  # Python-Markdown returns at once
        md = self._md()
        detector = md.preprocessors["fenced_code_block"]
        detector.force = dict(force or {})
        md.reset()
        try:
            html = md.convert(text)
        except Exception as error:  # noqa: BLE001 - a bug of an extension, reported as such
            raise MarkdownFailed(f"{type(error).__name__}: {error}") from None
        shown_at = {int(n) for n in _MARKER.findall(_COMMENT.sub("", html))}
        found = list(detector.found)
        shown = sorted((found[n] for n in shown_at), key=lambda f: f.start)
        return Scan(
            found, shown, list(detector.broken), list(detector.openers), list(detector.misread),
            html,
        )

    def _md(self) -> Any:
        if self._markdown is None:
            self._markdown = self._build()
        return self._markdown

    def _build(self) -> Any:
        import markdown

        md = markdown.Markdown(extensions=self.extensions, extension_configs=self.configs)
        # Inline and tree processing move no block; what is left is the block structure.
        md.treeprocessors = markdown.util.Registry()
        if "fenced_raw_block" in md.preprocessors:  # preserve_tabs: fences found once, here
            md.preprocessors.deregister("fenced_raw_block")
        real = md.preprocessors["fenced_code_block"]
        detector = _detector_class()(md)
        detector.config = dict(real.config, preserve_tabs=False)
        detector.extension = real.extension
        md.preprocessors.register(detector, "fenced_code_block", 25)
        return md


@functools.cache
def _detector_class() -> type:
    from pymdownx.superfences import RE_NESTED_FENCE_START, SuperFencesBlockPreprocessor

    base = SuperFencesBlockPreprocessor

    class Detector(base):
        """superfences' own preprocessor, deciding on each opening line as it would after
        the execdocs Markdown extension cleaned it, and recording what it opens and closes."""

        force: dict[int, bool]

        def run(self, lines):
            self.force = getattr(self, "force", {})
            self.found, self.broken, self.openers, self.misread = [], [], [], []
            self._line, self._opened_at, self._closing, self._deciding = -1, -1, False, False
            base.clear(self)
            result = super().run(lines)
            if self.fence is not None:
                self.broken.append(Broken(self._opened_at, None))
            return result

        # Exactly one of these two is called for each line, in order.
        def parse_whitespace(self, line):
            self._line += 1
            return super().parse_whitespace(line)

        def parse_fence_line(self, line):
            self._line += 1
            return super().parse_fence_line(line)

        # superfences calls one of these three on a line that may open a fence.
        def parse_options(self, m):
            return self._decide(m, base.parse_options)

        def handle_attrs(self, m):
            return self._decide(m, base.handle_attrs)

        def handle_unrecognized(self, m):
            return self._decide(m, base.handle_unrecognized)

        def _decide(self, m, own) -> bool:
            if self._deciding:  # superfences passing one of its own decisions on
                return own(self, m)
            info = m.string[m.end("fence") :].strip()
            okay = self.force.get(self._line)
            if okay is None:
                cleaned = reader_info(info)
                line = m.string[: m.end("fence")] + (" " + cleaned if cleaned else "")
                again = RE_NESTED_FENCE_START.match(line, m.start())
                self._deciding = True
                try:
                    if again is None or again.group("unrecognized"):
                        okay = base.handle_unrecognized(self, again or m)
                    elif again.group("attrs"):
                        okay = base.handle_attrs(self, again)
                    else:
                        okay = base.parse_options(self, again)
                finally:
                    self._deciding = False
                if not okay and _MEANS_A_BLOCK.match(info):
                    self.misread.append(self._line)
            if not okay:
                return False
            self.formatter = self._mark
            self._opened_at = self._line
            self.openers.append(self._line)
            return True

        def process_nested_block(self, ws, content, start, end):
            self._closing = True
            self._closed = Found(start, end, self.ws_virtual_len, self.fence)
            try:
                super().process_nested_block(ws, content, start, end)
            finally:
                self._closing = False

        def reassemble(self, lines):
            """superfences' own, in linear time (it splices the list once per fence)."""
            out, at = [], 0
            for fenced, start, end in self.stack:  # in page order, never overlapping
                out += lines[at:start]
                out.append(fenced)
                at = end
            self.stack = []
            return out + lines[at:]

        def _mark(self, **_: Any) -> str:
            self.found.append(self._closed)
            return f"<execdocs-fence {len(self.found) - 1}>"

        def clear(self):
            if getattr(self, "fence", None) is not None and not self._closing:
                self.broken.append(Broken(self._opened_at, self._line))
            super().clear()

    return Detector
