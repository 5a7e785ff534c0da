"""Find fenced code blocks where CommonMark puts them, with their line numbers.

markdown-it-py does the Markdown: backtick and tilde fences, longer fences, fences in
list items and block quotes. Two things it does not know are handled here:

- Material's admonitions (`!!!`, `???`) and content tabs (`===`) indent their bodies
  by four spaces, which CommonMark would read as an indented code block. Their bodies
  are dedented in a view of the page with the same lines (the marker line becomes
  blank), so every line number stays valid.
- `<!-- execdocs ... -->` comments hide blocks from readers; the fences inside one are
  found too, and marked hidden.

A fence that is never closed (CommonMark would close it at the end of the document or
of its list item) is an `InvalidPage`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

from execdocs.model import InvalidPage, Origin

HIDDEN_OPENER = "<!-- execdocs"
HIDDEN_CLOSER = "-->"

# An admonition (`!!! note "Title"`), a collapsible one (`??? note`, `???+ note`), or a
# content tab (`=== "Tab"`, `===! "Tab"`): their bodies are indented by four columns.
_CONTAINER_MARKER = re.compile(r'^(?P<indent>[ ]*)(?:(?:!!!|\?\?\?\+?)[ \t]+\S|===[!+]?[ \t]+")')
_CONTAINER_BODY_INDENT = 4

_markdown = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Fence:
    """One fenced block. Line numbers index the `lines` given to `find_fences`."""

    info: str  # the info string: language and options
    marker: str  # the opening run of backticks or tildes
    open_line: int  # 0-based index of the opening fence line
    close_line: int  # 0-based index of the closing fence line
    body: tuple[str, ...]  # the lines between, container indentation removed
    hidden: bool = False  # inside `<!-- execdocs ... -->`
    comment: tuple[int, int] | None = None  # hidden: first and last line of the comment

    @property
    def lang(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info.strip() else ""

    def body_line(self, k: int) -> int:
        """The index in the page's lines of body line `k`."""
        return self.open_line + 1 + k


def find_fences(lines: Sequence[str], origins: Sequence[Origin]) -> list[Fence]:
    """The fenced blocks of a page given as `lines`, in order, hidden ones included.

    `origins[i]` says where `lines[i]` came from; it is used in error messages.
    """
    return _find(list(lines), list(origins), first=0, hidden=False)


def _find(lines: list[str], origins: list[Origin], first: int, hidden: bool) -> list[Fence]:
    """Fences of `lines`, reported with line numbers offset by `first`."""
    view = _dedent_containers(lines)
    fences: list[Fence] = []
    for token in _markdown.parse("\n".join(view)):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "fence":
            body = _content_lines(token.content)
            if len(body) != end - start - 2:
                raise InvalidPage(
                    origins[start],
                    f"this {token.markup} fence is never closed; close it with a line"
                    f" {token.markup} at the same indentation",
                )
            fences.append(
                Fence(
                    info=token.info.strip(),
                    marker=token.markup,
                    open_line=first + start,
                    close_line=first + end - 1,
                    body=tuple(body),
                    hidden=hidden,
                )
            )
        elif token.type == "html_block" and token.content.lstrip().startswith(HIDDEN_OPENER):
            fences += _hidden_fences(token.content, origins, first, start, end)
        elif token.type == "inline":
            _refuse_fence_read_as_text(view, origins, start, end)
    return fences


# A line that opens a backtick fence with options, but that CommonMark reads as text
# because its info string holds a backtick: the block would silently not run.
_FENCE_READ_AS_TEXT = re.compile(r'^[ ]*`{3,}[A-Za-z][\w+-]*[ \t]+(?=.*\w+=")(?=.*`)')


def _refuse_fence_read_as_text(view: list[str], origins: list[Origin], start: int, end: int):
    for index in range(start, end):
        if _FENCE_READ_AS_TEXT.match(view[index]):
            raise InvalidPage(
                origins[index],
                "this looks like a ``` fence, but its info string holds a backtick, so"
                " Markdown shows it as text and nothing runs; remove the backtick (or open"
                " the fence with ~~~)",
            )


def _hidden_fences(
    content: str, origins: list[Origin], first: int, start: int, end: int
) -> list[Fence]:
    """The fences of one `<!-- execdocs ... -->` comment spanning lines start..end-1."""
    inner = _content_lines(content)
    opener_rest = inner[0].strip()[len(HIDDEN_OPENER) :]
    if opener_rest and not opener_rest[0].isspace():
        return []  # `<!-- execdocsfoo`: another word, an ordinary comment
    if HIDDEN_CLOSER in opener_rest:
        raise InvalidPage(
            origins[start],
            "an execdocs comment must hold a fenced block; put `-->` on its own line after it",
        )
    if inner[-1].strip() != HIDDEN_CLOSER:
        where = origins[end - 1] if HIDDEN_CLOSER in inner[-1] else origins[start]
        raise InvalidPage(
            where,
            "an execdocs comment must end with `-->` alone on its own line, after the block",
        )
    fences = _find(inner[1:-1], origins[start + 1 : end - 1], first + start + 1, hidden=True)
    if not fences:
        raise InvalidPage(
            origins[start],
            "this execdocs comment holds no fenced block; put a ``` block inside or remove it",
        )
    comment = (first + start, first + end - 1)
    return [
        Fence(f.info, f.marker, f.open_line, f.close_line, f.body, True, comment) for f in fences
    ]


def _content_lines(content: str) -> list[str]:
    """A token's content as lines (it ends with a newline unless the page does not)."""
    return content.removesuffix("\n").split("\n") if content else []


def _dedent_containers(lines: list[str]) -> list[str]:
    """`lines` with admonition and content-tab bodies dedented, markers made blank.

    Markers are looked for only where markdown-it sees paragraph text, so a `!!!` inside
    a code block is left alone. Nested containers are handled one level per pass.
    """
    view = list(lines)
    while True:
        marker = _first_container_marker(view)
        if marker is None:
            return view
        line, indent = marker
        view[line] = ""
        body_indent = indent + _CONTAINER_BODY_INDENT
        k = line + 1
        while k < len(view):
            text = view[k].expandtabs(_CONTAINER_BODY_INDENT)
            if text.strip() and len(text) - len(text.lstrip(" ")) < body_indent:
                break
            view[k] = text[:indent] + text[body_indent:] if text.strip() else ""
            k += 1


def _first_container_marker(view: list[str]) -> tuple[int, int] | None:
    for token in _markdown.parse("\n".join(view)):
        if token.type != "paragraph_open" or token.map is None:
            continue
        for line in range(*token.map):
            found = _CONTAINER_MARKER.match(view[line])
            if found:
                return line, len(found.group("indent"))
    return None
