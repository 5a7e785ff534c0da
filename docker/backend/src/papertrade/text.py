"""Text the database can store and a reader can see: no control characters."""

from __future__ import annotations

import unicodedata

from pydantic_core import PydanticCustomError

# Control characters (NUL, ESC, DEL, C1 ...), unpaired surrogates (not UTF-8, so PostgreSQL
# cannot store them) and the Unicode line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """The text unchanged, or a validation error naming the first refused character."""
    for position, character in enumerate(text):
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters; found U+{code} at position {position}",
                {"code": f"{ord(character):04X}", "position": position},
            )
    return text
