"""Find the fenced code blocks a reader of the built site sees, with their line numbers.

Which fences the site shows is decided by the site's own Markdown
(`execdocs.site_markdown`): blocks in lists, admonitions, content tabs, definition
lists and HTML blocks are found exactly where the site shows them, and a fence the
site gives back as text (inside an indented code block) is not a block. Here each fence
gets its lines, its info string as written, and its body with the container's
indentation removed (tabs inside the text are kept, as a file written from it needs).

`<!-- execdocs ... -->` comments hide blocks from readers: the site never sees them
(the Markdown extension removes them first), so the visible blocks are found on the page
without them, and the blocks inside each are found on its own text and marked hidden.

A fence that is opened but never closed (the site would show it as text) is an
`InvalidPage`; `scan_fences` returns every such problem instead of stopping at one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from execdocs.model import InvalidPage, Origin
from execdocs.options import parse_info
from execdocs.site_markdown import Broken, Found, MarkdownFailed, SiteMarkdown

HIDDEN_OPENER = "<!-- execdocs"
HIDDEN_CLOSER = "-->"

_HIDDEN = re.compile(r"(?P<indent>[ \t]*)<!-- execdocs(?=\s|$)")
_OPENING = re.compile(r"(?P<prefix>[ \t>]*)(?P<marker>`{3,}|~{3,})(?P<rest>.*)")
_PROBE = "execdocs-probe-{}-"


@dataclass(frozen=True)
class Fence:
    """One fenced block. Line numbers index the `lines` given to `find_fences`."""

    info: str  # the info string as written: language and options
    marker: str  # the opening run of backticks or tildes
    open_line: int  # 0-based index of the opening fence line
    close_line: int  # 0-based index of the closing fence line
    body: tuple[str, ...]  # the lines between, container indentation removed
    hidden: bool = False  # inside `<!-- execdocs ... -->`
    comment: tuple[int, int] | None = None  # hidden: first and last line of the comment
    info_at: tuple[int, int] = (0, 0)  # where `info` is in the opening line (columns)
    body_at: tuple[int, ...] | None = None  # the line of each body line (None: in a row)

    @property
    def lang(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info.strip() else ""

    def body_line(self, k: int) -> int:
        """The index in the page's lines of body line `k`."""
        return self.body_at[k] if self.body_at is not None else self.open_line + 1 + k


_default: SiteMarkdown | None = None


def default_markdown() -> SiteMarkdown:
    """The Markdown of pages outside any project (see `site_markdown.DEFAULT_EXTENSIONS`)."""
    global _default
    if _default is None:
        _default = SiteMarkdown()
    return _default


def find_fences(
    lines: Sequence[str], origins: Sequence[Origin], markdown: SiteMarkdown | None = None
) -> list[Fence]:
    """The fenced blocks of a page given as `lines`, in order, hidden ones included.

    `origins[i]` says where `lines[i]` came from; it is used in error messages. Raises
    `InvalidPage` carrying every problem found.
    """
    fences, problems = scan_fences(lines, origins, markdown)
    if problems:
        raise InvalidPage.several(problems)
    return fences


def scan_fences(
    lines: Sequence[str], origins: Sequence[Origin], markdown: SiteMarkdown | None = None
) -> tuple[list[Fence], list[InvalidPage]]:
    """The fenced blocks of `lines`, and the problems that make the page invalid."""
    return _Scanner(list(lines), list(origins), markdown or default_markdown()).scan()


@dataclass
class FencedPage:
    """What `read_fences` finds on a page."""

    fences: list[Fence]  # the blocks, visible and hidden, in order
    problems: list[InvalidPage]  # what makes the page invalid
    openers: list[int]  # every line the site reads as opening a fence (shown or not)
    comments: list[tuple[int, int]]  # the first and last line of each hidden comment


def read_fences(
    lines: Sequence[str], origins: Sequence[Origin], markdown: SiteMarkdown | None = None
) -> FencedPage:
    """Everything `scan_fences` finds, with the lines the MkDocs plugin rewrites."""
    return _Scanner(list(lines), list(origins), markdown or default_markdown()).read()


class _Scanner:
    def __init__(self, lines: list[str], origins: list[Origin], markdown: SiteMarkdown):
        self.lines, self.origins, self.markdown = lines, origins, markdown
        self.problems: list[InvalidPage] = []
        self.openers: list[int] = []

    def refuse(self, line: int, message: str) -> None:
        self.problems.append(InvalidPage(self.origins[line], message))

    def scan(self) -> tuple[list[Fence], list[InvalidPage]]:
        page = self.read()
        return page.fences, page.problems

    def read(self) -> FencedPage:
        comments = self._hidden_comments()
        in_comment = {k for first, last in comments for k in range(first, last + 1)}
        view = [k for k in range(len(self.lines)) if k not in in_comment]
        fences = self._visible(view)
        for first, last in comments:
            fences += self._hidden(first, last)
        fences.sort(key=lambda fence: fence.open_line)
        return FencedPage(fences, self.problems, self.openers, comments)

    # --- visible blocks ------------------------------------------------------------------

    def _visible(self, view: list[int]) -> list[Fence]:
        text = [self.lines[k] for k in view]
        scan = self._markdown_scan(text)
        if scan is None:
            return []
        self.openers += [view[k] for k in scan.openers]  # as the site reads the page
        meant: dict[int, bool] = {}
        misread = self._seen(text, scan.misread, opens=False)
        # The page is invalid; its other problems are those of what was meant. Taking one
        # misread line as meant can bring out another: the site read the text after it as
        # fences, which hid the next misread line in a fence's body (```yaml tab="A" ...
        # ``` ```yaml tab="B"). So until every misread line is taken as meant.
        while misread:
            for line in misread:
                self._refuse_misread(text[line], view[line])
            meant.update(dict.fromkeys(misread, True))
            scan = self._markdown_scan(text, meant) or scan
            unmet = [line for line in scan.misread if line not in meant]
            misread = self._seen(text, unmet, opens=False, force=meant)
        broken = {fence.start: fence for fence in scan.broken}
        for line in self._seen(text, list(broken), opens=True, force=meant):
            self.refuse(view[line], self._never_closed(text, view, broken[line]))
        return [self._fence(text, view, f) for f in scan.shown]

    def _markdown_scan(self, text: list[str], force: dict[int, bool] | None = None):
        try:
            return self.markdown.scan(text, force)
        except MarkdownFailed as error:
            self.refuse(0, f"the site's Markdown fails on this page ({error}); so would"
                           " mkdocs build: simplify the Markdown around the failing block")
            return None

    def _fence(self, text: list[str], view: list[int], found: Found) -> Fence:
        info_start, info_end = info_span(text[found.start])
        info = text[found.start][info_start:info_end]
        tab = self.markdown.tab_length
        inside = range(found.start + 1, found.end - 1)
        body = tuple(_dedent(text[k], found.width, tab) for k in inside)
        body_at = tuple(view[k] for k in inside)
        open_line, close_line = view[found.start], view[found.end - 1]
        return Fence(
            info=info,
            marker=found.marker,
            open_line=open_line,
            close_line=close_line,
            body=body,
            info_at=(info_start, info_end),
            body_at=None if body_at == tuple(range(open_line + 1, close_line)) else body_at,
        )

    def _seen(
        self, text: list[str], lines: list[int], opens: bool, force: dict[int, bool] | None = None
    ) -> list[int]:
        """Those of `lines` (each opening a fence, or not, as `opens` says) that a reader
        sees as text: not in an indented code block or an HTML comment."""
        if not lines:
            return []
        probed, force = list(text), dict(force or {})
        for n, line in enumerate(lines):
            opening = _OPENING.fullmatch(probed[line])
            probed[line] = opening.group("prefix") + opening.group("marker") + _PROBE.format(n)
            force[line] = opens  # the same decision as without the probe
        scan = self._markdown_scan(probed, force)
        if scan is None:
            return []
        seen = []
        for n, line in enumerate(lines):
            where = scan.html.find(_PROBE.format(n))
            hidden_as_text = _inside(scan.html, where, "<pre", "</pre>") or _inside(
                scan.html, where, "<!--", "-->"
            )
            if where >= 0 and not hidden_as_text:
                seen.append(line)
        return seen

    def _never_closed(self, text: list[str], view: list[int], fence: Broken) -> str:
        marker = _OPENING.fullmatch(text[fence.start]).group("marker")
        if fence.ended_by is None:
            return (
                f"this {marker} fence is never closed; close it with a line {marker} at the"
                " same indentation"
            )
        end = self.origins[view[fence.ended_by]]
        return (
            f"this {marker} fence is never closed: line {end.line}"
            f" ({text[fence.ended_by].strip()[:40]!r}) is indented less than the fence,"
            " which ends the list item or container the fence is in; close the fence with"
            f" {marker} before that line, or indent the line like the fence"
        )

    def _refuse_misread(self, line: str, at: int) -> None:
        """A line meant to open a fence that the site shows as text. When its info string
        is malformed, the block (taken as meant) reports it; otherwise it is said here."""
        info = _OPENING.fullmatch(line).group("rest").strip()
        try:
            parse_info(info, self.origins[at])
        except InvalidPage:
            return
        self.refuse(
            at,
            f"the site does not read {info!r} as a language and options, so it shows this"
            ' block as text and nothing runs; write ```lang key="value"',
        )

    # --- hidden blocks -------------------------------------------------------------------

    def _hidden_comments(self) -> list[tuple[int, int]]:
        """The (first, last) lines of each `<!-- execdocs ... -->` comment."""
        candidates = [k for k, line in enumerate(self.lines) if _HIDDEN.match(line)]
        if not candidates:
            return []
        probed = list(self.lines)
        for k in candidates:
            probed[k] = probed[k].replace("<!--", "<!--" + _PROBE.format(k), 1)
        found = self._markdown_scan(probed)
        if found is None:
            return []
        comments: list[tuple[int, int]] = []
        for k in candidates:
            if comments and k <= comments[-1][1]:
                continue  # inside the comment before
            where = found.html.find(_PROBE.format(k))
            if where < 0 or _inside(found.html, where, "<pre", "</pre>"):
                continue  # in a fenced block's text, or shown in an indented code block
            span = self._comment_span(k)
            if span is not None:
                comments.append(span)
        return comments

    def _comment_span(self, first: int) -> tuple[int, int] | None:
        rest = self.lines[first][_HIDDEN.match(self.lines[first]).end() :]
        if HIDDEN_CLOSER in rest:
            self.refuse(
                first,
                "an execdocs comment must hold a fenced block; put `-->` on its own line"
                " after it",
            )
            return None
        last = next(
            (k for k in range(first + 1, len(self.lines)) if HIDDEN_CLOSER in self.lines[k]),
            None,
        )
        if last is None:
            self.refuse(
                first, "this execdocs comment is never closed; end it with `-->` on its own line"
            )
            return first, len(self.lines) - 1
        if self.lines[last].strip() != HIDDEN_CLOSER:
            self.refuse(
                last,
                "an execdocs comment must end with `-->` alone on its own line, after the block",
            )
        return first, last

    def _hidden(self, first: int, last: int) -> list[Fence]:
        """The fences of the comment on lines first..last, found on its own text."""
        indent = len(_HIDDEN.match(self.lines[first]).group("indent").expandtabs(4))
        inner = list(range(first + 1, last + 1))
        text = [self.lines[k] for k in inner]
        if text and HIDDEN_CLOSER in text[-1]:  # the closing line; text before `-->` counts
            text[-1] = text[-1][: text[-1].index(HIDDEN_CLOSER)]
        tab = self.markdown.tab_length
        text = [_dedent(line, indent, tab, quotes=False) for line in text]
        scanner = _Scanner(text, [self.origins[k] for k in inner], self.markdown)
        fences, problems = scanner.scan()
        self.problems += problems
        self.openers += [inner[k] for k in scanner.openers]
        if not fences and not problems:
            self.refuse(
                first,
                "this execdocs comment holds no fenced block; put a ``` block inside or"
                " remove it",
            )
        return [
            Fence(
                info=f.info,
                marker=f.marker,
                open_line=inner[f.open_line],
                close_line=inner[f.close_line],
                body=f.body,
                hidden=True,
                comment=(first, last),
                info_at=f.info_at,
                body_at=tuple(inner[f.body_line(k)] for k in range(len(f.body))),
            )
            for f in fences
        ]


def info_span(line: str) -> tuple[int, int]:
    """Where the info string of a fence's opening `line` is (columns; empty: none)."""
    opening = _OPENING.fullmatch(line)
    if opening is None:
        return len(line), len(line)
    rest = opening.group("rest")
    start = opening.end("marker") + len(rest) - len(rest.lstrip())
    return start, start + len(rest.strip())


def _dedent(line: str, width: int, tab: int, quotes: bool = True) -> str:
    """`line` without its first `width` columns of container prefix (spaces, tabs and,
    with `quotes`, `>`), the rest as written; a tab reaching past them leaves spaces."""
    if not line.strip():
        return ""
    column = at = 0
    prefix = " \t>" if quotes else " \t"
    while column < width and at < len(line) and line[at] in prefix:
        column += tab - column % tab if line[at] == "\t" else 1
        at += 1
    return " " * (column - width) + line[at:]


def _inside(html: str, where: int, opening: str, closing: str) -> bool:
    """Whether position `where` of `html` lies between an `opening` and its `closing`."""
    return html.rfind(opening, 0, where) > html.rfind(closing, 0, where)
