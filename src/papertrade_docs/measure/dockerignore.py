"""Read a `.dockerignore` file and decide which paths it keeps out of a build context.

The rules are Docker's (moby/patternmatcher): patterns are cleaned paths relative to
the context root, `*` and `?` stay within one path segment, `**` spans segments, a
pattern that matches a parent directory matches everything below it, `!` re-includes,
and the last matching pattern wins.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pattern:
    text: str
    exclusion: bool  # written with a leading `!`: re-include what matched
    regex: re.Pattern[str]


class DockerignoreError(ValueError):
    """A pattern Docker would refuse."""


def parse(text: str, source: str = ".dockerignore") -> list[Pattern]:
    patterns = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        exclusion = pattern.startswith("!")
        if exclusion:
            pattern = pattern[1:].strip()
            if not pattern:
                raise DockerignoreError(f"{source}:{number}: a lone '!' excludes nothing")
        pattern = posixpath.normpath(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
        patterns.append(Pattern(pattern, exclusion, _compile(pattern, source, number)))
    return patterns


def read(context: Path) -> list[Pattern]:
    """The patterns of `context/.dockerignore`, none when there is no such file."""
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    return parse(path.read_text(encoding="utf-8"), source=str(path))


def is_excluded(relative_path: str, patterns: Sequence[Pattern]) -> bool:
    """Whether Docker leaves `relative_path` (posix, relative to the context) out."""
    parents = posixpath.dirname(relative_path)
    parent_prefixes = []
    if parents:
        parts = parents.split("/")
        parent_prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        # An exception can only re-include what is excluded so far, and the reverse.
        if pattern.exclusion != excluded:
            continue
        if pattern.regex.match(relative_path) or any(
            pattern.regex.match(prefix) for prefix in parent_prefixes
        ):
            excluded = not pattern.exclusion
    return excluded


def has_exceptions(patterns: Sequence[Pattern]) -> bool:
    return any(pattern.exclusion for pattern in patterns)


_ESCAPED = set(".+()|{}$")


def _compile(pattern: str, source: str, number: int) -> re.Pattern[str]:
    out = ["^"]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern[i + 1 : i + 2] == "*":
                i += 1
                if pattern[i + 1 : i + 2] == "/":
                    i += 1  # `**/` is `**`
                out.append(".*" if i + 1 >= len(pattern) else "(.*/)?")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            i += 1
            if i >= len(pattern):
                raise DockerignoreError(f"{source}:{number}: pattern ends with a lone '\\'")
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise DockerignoreError(f"{source}:{number}: '[' without a closing ']'")
            out.append(pattern[i : end + 1])  # Go's classes read as Python's: [a-z], [^a]
            i = end
        elif char in _ESCAPED:
            out.append("\\" + char)
        else:
            out.append(char)
        i += 1
    out.append("$")
    return re.compile("".join(out))
