"""The rules a note must follow. Each rule reads a `Note` and yields `Problem`s."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

from papertrade_docs.notes.document import Line, Note
from papertrade_docs.notes.naming import BadName, parse_name
from papertrade_docs.notes.settings import NoteSettings

REQUIRED_KEYS = ("date", "authors", "categories", "task", "branch", "pull_request", "status")
# Keys Material's blog plugin and the site understand besides the required ones.
OPTIONAL_KEYS = ("slug", "draft", "description", "links", "readtime", "pin", "title", "search",
                 "hide", "execdocs")
STATUSES = ("in-progress", "done", "blocked", "abandoned")
SECTIONS = ("Summary", "Decisions", "Changes", "Testing", "Measurements", "Known issues",
            "Next steps")
MAY_BE_NONE = ("Measurements", "Known issues")
EXCERPT_SEPARATOR = "<!-- more -->"
PLACEHOLDER = "TODO"
AT_THE_TIME = "at the time"

COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MACRO = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
CODE_SPAN = re.compile(r"`[^`]*`")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>[^\s>]+)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
FIGURE = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s?"
    r"(?:B|bytes|kB|KB|KiB|MB|MiB|GB|GiB|TB|ms|s|sec|seconds?|min|minutes?)(?!\w)"
)
CONTAINER = re.compile(r"^(?:!!!|\?\?\?\+?|===)\s")  # admonitions, details, content tabs


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper().startswith(PLACEHOLDER)


def _text_list(value: object) -> list[str] | None:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    return None


def check_name(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    try:
        parse_name(note.path.name)
    except BadName as error:
        yield Problem(note.path, 1, str(error))


def check_front_matter(note: Note, settings: NoteSettings) -> Iterator[Problem]:
    if note.front_matter_error:
        yield Problem(note.path, note.front_matter_line,
                      f"{note.front_matter_error}: start the note with the front matter of "
                      "'make note' (date, authors, categories, task, branch, pull_request, status)")
        return
    meta = note.front_matter
    for key in REQUIRED_KEYS:
        if key not in meta:
            yield Problem(note.path, note.front_matter_line, f"front matter lacks '{key}': add it")
    for key in meta:
        if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
            yield Problem(note.path, note.line_of(key),
                          f"unknown front matter key '{key}': remove it, or use one of "
                          f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    yield from _check_date(note)
    yield from _check_names(note, "authors", settings.authors,
                            f"add the author to {settings.authors_file.name}")
    yield from _check_names(note, "categories", settings.categories,
                            "or ask for the category in mkdocs.yml's categories_allowed")
    for key in ("task", "branch"):
        value = meta.get(key)
        if key not in meta:
            continue
        if not isinstance(value, str) or not value.strip():
            yield Problem(note.path, note.line_of(key), f"'{key}' must be a non-empty text")
        elif _is_placeholder(value):
            yield Problem(note.path, note.line_of(key), f"'{key}' is still the placeholder "
                                                         f"{value!r}: replace it")
    if "pull_request" in meta:
        value = meta["pull_request"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            yield Problem(note.path, note.line_of("pull_request"),
                          f"'pull_request' is {value!r}: write the pull request's number, "
                          "or null while there is none")
    if "status" in meta and meta["status"] not in STATUSES:
        yield Problem(note.path, note.line_of("status"),
                      f"'status' is {meta['status']!r}: use one of {', '.join(STATUSES)}")


def _check_date(note: Note) -> Iterator[Problem]:
    if "date" not in note.front_matter:
        return
    value = note.front_matter["date"]
    line = note.line_of("date")
    if isinstance(value, dict):
        value = value.get("created")
    if not isinstance(value, datetime):
        kind = "a date without a time" if isinstance(value, date) else repr(value)
        yield Problem(note.path, line, f"'date' is {kind}: write date and time as in the file "
                                       "name, e.g. 'date: 2026-11-27 09:14:05'")
        return
    try:
        named = parse_name(note.path.name)
    except BadName:
        return  # check_name reports it
    if value.replace(tzinfo=None) != named:
        yield Problem(note.path, line,
                      f"'date' is {value:%Y-%m-%d %H:%M:%S} but the file name says "
                      f"{named:%Y-%m-%d %H:%M:%S}: make them the same")


def _check_names(note: Note, key: str, known: tuple[str, ...], hint: str) -> Iterator[Problem]:
    if key not in note.front_matter:
        return
    line = note.line_of(key)
    names = _text_list(note.front_matter[key])
    if names is None:
        yield Problem(note.path, line, f"'{key}' must be a list of names, e.g. "
                                       f"'{key}: [{known[0]}]'")
        return
    for name in names:
        if name not in known:
            yield Problem(note.path, line, f"unknown {key[:-1] if key == 'authors' else 'category'}"
                                           f" {name!r}: use one of {', '.join(known)}, {hint}")


def _headings(body: list[Line]) -> list[tuple[int, int, str]]:
    """(index in body, level, title) of every heading outside code."""
    found = []
    for index, line in enumerate(body):
        match = HEADING.match(line.text)
        if match and not line.in_code:
            found.append((index, len(match["level"]), match["title"]))
    return found


def check_title(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    titles = [note.body[i] for i, level, _ in _headings(note.body) if level == 1]
    first = note.body[0].number if note.body else note.front_matter_line
    if not titles:
        yield Problem(note.path, first,
                      "the note has no title: add '# Title' after the front matter")
    for extra in titles[1:]:
        yield Problem(note.path, extra.number,
                      "a second '# ' title: a note has one; make this a '## ' section")


def check_sections(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    headings = _headings(note.body)
    seen: dict[str, int] = {}
    for position, (index, level, title) in enumerate(headings):
        if level != 2:
            continue
        wanted = next((name for name in SECTIONS if name.lower() == title.lower()), None)
        if wanted is None:
            continue
        line = note.body[index].number
        if wanted in seen:
            yield Problem(note.path, line, f"section '## {wanted}' appears twice (first at line "
                                           f"{seen[wanted]}): merge them")
            continue
        seen[wanted] = line
        end = next((i for i, lvl, _ in headings[position + 1 :] if lvl <= 2), len(note.body))
        content = COMMENT.sub("", "\n".join(line.text for line in note.body[index + 1 : end]))
        if not content.strip():
            hint = ", or 'None.'" if wanted in MAY_BE_NONE else ""
            yield Problem(note.path, line, f"section '## {wanted}' is empty (the template's "
                                           f"comment does not count): write it{hint}")
    last = note.body[-1].number if note.body else note.front_matter_line
    for name in SECTIONS:
        if name not in seen:
            yield Problem(note.path, last, f"section '## {name}' is missing: add it "
                                           f"(every note has {', '.join(SECTIONS)})")


def check_excerpt(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    if not any(line.text.strip() == EXCERPT_SEPARATOR and not line.in_code for line in note.body):
        first = note.body[0].number if note.body else 1
        yield Problem(note.path, first, f"no '{EXCERPT_SEPARATOR}' line: put it after the "
                                        "summary; what is above it is shown in the list of notes")


def _link_targets(line: Line) -> Iterator[str]:
    text = CODE_SPAN.sub("", line.text)
    for match in INLINE_LINK.finditer(text):
        yield match["target"]
    match = REFERENCE_LINK.match(text)
    if match:
        yield match["target"]


def check_links(note: Note, settings: NoteSettings) -> Iterator[Problem]:
    if not note.body:
        return
    docs_dir = settings.docs_dir.resolve()
    # Comments are blanked, line breaks kept, so that every line keeps its number.
    text = "\n".join(line.text for line in note.body)
    texts = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text).split("\n")
    for line, text in zip(note.body, texts, strict=True):
        if line.in_code:
            continue
        for target in _link_targets(Line(line.number, text, False)):
            if SCHEME.match(target) or target.startswith(("#", "/")) or "{{" in target:
                continue
            path = unquote(target.split("#", 1)[0].split("?", 1)[0])
            resolved = (note.path.parent / path).resolve()
            if not resolved.exists():
                yield Problem(note.path, line.number,
                              f"link to {target!r} leads nowhere ({resolved} does not exist): "
                              "fix the path, relative to this note")
            elif not resolved.is_relative_to(docs_dir):
                yield Problem(note.path, line.number,
                              f"link to {target!r} leaves {settings.docs_dir.name}/, which the "
                              "site cannot link to: link to the file on the repository instead")


def _blocks(body: list[Line]) -> Iterator[list[Line]]:
    """Paragraphs (a fenced block with the lines around it is one), and whole admonitions,
    details and content tabs with everything indented under them."""
    block: list[Line] = []
    container = False
    for line in body:
        indented = line.text.startswith(("    ", "\t"))
        starts_container = bool(CONTAINER.match(line.text)) and not line.in_code
        if container and (indented or not line.text.strip()) and not starts_container:
            block.append(line)
            continue
        blank = not line.text.strip() and not line.in_code
        if block and (blank or starts_container or container):
            yield block
            block = []
        container = starts_container
        if not blank:
            block.append(line)
    if block:
        yield block


def check_figures(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    for block in _blocks(note.body):
        if AT_THE_TIME in " ".join(line.text for line in block).lower():
            continue
        for line in block:
            match = FIGURE.search(MACRO.sub("", line.text))
            if match:
                yield Problem(note.path, line.number,
                              f"the figure {match.group()!r} is not marked: quote it through a "
                              f"measurement macro, or say '{AT_THE_TIME} of writing' in the same "
                              "paragraph (or put it in !!! note \"At the time of writing\")")


def check_fences(note: Note, _settings: NoteSettings) -> Iterator[Problem]:
    if note.fence_error is not None:
        yield Problem(note.path, note.fence_error.origin.line, note.fence_error.message)


RULES = (check_name, check_front_matter, check_fences, check_title, check_sections, check_excerpt,
         check_links, check_figures)


def check_note(note: Note, settings: NoteSettings) -> Iterable[Problem]:
    for rule in RULES:
        yield from rule(note, settings)
