"""The note's file name: `YYYY-MM-DD_HH-MM-SS_slug.md`, the date and time it was started."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

NAME_PATTERN = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})_(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$"
)
STAMP_FORMAT = "%Y-%m-%d_%H-%M-%S"
EXAMPLE = "2026-11-27_09-14-05_progress-notes.md"
SLUG_MAX = 60


class BadName(ValueError):
    """A file name that is not a note's name; the message says how to fix it."""


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) <= SLUG_MAX:
        return slug
    cut = slug[: SLUG_MAX + 1].rfind("-")  # whole words only
    return slug[: cut if cut > 0 else SLUG_MAX]


def note_name(started: datetime, title: str) -> str:
    slug = slugify(title)
    if not slug:
        raise BadName(f"the title {title!r} has no letters or digits to make a file name from")
    return f"{started.strftime(STAMP_FORMAT)}_{slug}.md"


def parse_name(name: str) -> datetime:
    """The date and time a note's name records."""
    match = NAME_PATTERN.match(name)
    if not match:
        raise BadName(
            f"file name {name!r} is not YYYY-MM-DD_HH-MM-SS_slug.md (lower-case slug, "
            f"words joined by '-'), e.g. {EXAMPLE}: rename it, or create notes with "
            "'make note TITLE=...'"
        )
    try:
        return datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        raise BadName(
            f"file name {name!r} holds no real date and time ({match['stamp']}): rename it"
        ) from None
