"""The output matcher: a command's expected lines against its actual output.

`match(expected, actual)` checks a command's output the way a reader compares it with
their terminal: ANSI escapes removed, trailing whitespace ignored (`execdocs.terminal`);
a line that is exactly `...` stands for any number of lines (none included), `...`
inside a line for any text within that line, and a line ending in ` (re)` is a regular
expression for the whole line. It runs in time proportional to (expected lines x actual
lines), however many `...` there are. On a mismatch, `Match.diff` is a unified-style
diff in which lines a wildcard accounted for are shown as context, not as differences;
`align` is the alignment behind it, which update mode also uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from execdocs.terminal import output_lines

ANY_LINES = "..."
REGEX_SUFFIX = " (re)"


# --- one expected line against one actual line ---------------------------------------


@dataclass(frozen=True)
class LinePattern:
    """One expected line: literal, with inline `...`, a ` (re)` regex, or `...` alone."""

    text: str

    @property
    def any_lines(self) -> bool:
        return self.text == ANY_LINES

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        if not self.text.endswith(REGEX_SUFFIX):
            return None
        try:
            return re.compile(self.text[: -len(REGEX_SUFFIX)])
        except re.error:
            return None  # an invalid regex is compared as plain text, and so shows in the diff

    def matches(self, line: str) -> bool:
        if self.any_lines:
            return True
        if self._regex is not None:
            return self._regex.fullmatch(line) is not None
        if ANY_LINES in self.text:
            pieces = self.text.split(ANY_LINES)
            if _glob_match(pieces, line):
                return True
            # `end ...` matches `end`: the output's trailing space was stripped.
            last = next((piece for piece in reversed(pieces) if piece), "")
            spaces = last[len(last.rstrip()) :]
            return not pieces[-1] and bool(spaces) and _glob_match(pieces, line + spaces)
        return self.text == line


def _glob_match(pieces: list[str], line: str) -> bool:
    """Whether `line` is pieces[0] + any + pieces[1] + ... + any + pieces[-1].

    Taking the leftmost occurrence of each middle piece is always safe, so this is
    linear in the line and never backtracks.
    """
    head, *middle, tail = pieces
    if len(line) < len(head) + len(tail) or not line.startswith(head):
        return False
    position, end = len(head), len(line) - len(tail)
    for piece in middle:
        found = line.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return line.endswith(tail)


def is_regex_line(line: str) -> bool:
    return line.endswith(REGEX_SUFFIX)


def is_wildcard_line(line: str) -> bool:
    """A line that does not stand for itself: `...`, inline `...`, or ` (re)`."""
    return ANY_LINES in line or is_regex_line(line)


# --- whole outputs --------------------------------------------------------------------


@dataclass
class Match:
    """The outcome of `match`; true when the output matched."""

    ok: bool
    expected: list[str]
    actual: list[str]  # the output as compared: see `output_lines`
    diff: str = ""  # empty when ok

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class AlignmentStep:
    """One step of an alignment of expected lines with actual lines.

    kind: "same" (expected line matched actual line; a `...` line has no actual line),
    "absorbed" (actual line covered by the `...` line `expected`), "changed" (expected
    line did not match the actual line in its place), "missing" (expected line with no
    actual line), "extra" (actual line no expected line accounts for).
    """

    kind: str
    expected: int | None
    actual: int | None


def match(expected: Sequence[str], actual: str | Sequence[str]) -> Match:
    """Match a command's expected output lines with its actual output.

    `actual` is the raw output (a string, cleaned with `output_lines`) or lines already
    cleaned. An empty `expected` matches any output (the output is not checked).
    """
    actual_lines = output_lines(actual) if isinstance(actual, str) else list(actual)
    expected_lines = [line.rstrip() for line in expected]
    while expected_lines and not expected_lines[-1]:
        expected_lines.pop()
    while expected_lines and not expected_lines[0]:
        expected_lines.pop(0)
    if not expected_lines:
        return Match(True, expected_lines, actual_lines)
    patterns = [LinePattern(line) for line in expected_lines]
    if _matches_all(patterns, actual_lines):
        return Match(True, expected_lines, actual_lines)
    steps = align(patterns, actual_lines)
    return Match(False, expected_lines, actual_lines,
                 diff=render_diff(steps, expected_lines, actual_lines))


def _matches_all(patterns: list[LinePattern], lines: list[str]) -> bool:
    """Wildcard matching where `...` lines are stars: greedy, resuming from the last star.

    Each non-star pattern consumes exactly one line, so resuming after the most recent
    star is enough (an earlier star can never do better); at most O(patterns x lines).
    """
    p = line = 0
    star: int | None = None
    star_line = 0
    while line < len(lines):
        if p < len(patterns) and patterns[p].any_lines:
            star, star_line = p, line
            p += 1
        elif p < len(patterns) and patterns[p].matches(lines[line]):
            p += 1
            line += 1
        elif star is not None:
            star_line += 1
            p, line = star + 1, star_line
        else:
            return False
    while p < len(patterns) and patterns[p].any_lines:
        p += 1
    return p == len(patterns)


# Above this many cells the best alignment is not worth its cost; difflib's is used.
_MAX_ALIGNMENT_CELLS = 4_000_000
_PAIR, _CHANGE, _ABSORB = 6, 3, 2


def align(patterns: Sequence[LinePattern | str], lines: Sequence[str]) -> list[AlignmentStep]:
    """The alignment of expected patterns with actual lines that explains the most.

    Dynamic programming over (pattern, line) positions. Scores: a matched pair 6; an
    expected line changed into an actual line 3 (so a line that changed in place is
    shown, and updated, where it was, rather than swallowed by a nearby `...`); an
    actual line absorbed by `...` 2, and the `...` line itself 2.
    """
    pats = [p if isinstance(p, LinePattern) else LinePattern(p) for p in patterns]
    n, m = len(pats), len(lines)
    if (n + 1) * (m + 1) > _MAX_ALIGNMENT_CELLS:
        return _difflib_alignment(pats, list(lines))
    # best[i][j]: the best score aligning pats[i:] with lines[j:].
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, pattern = best[i], best[i + 1], pats[i]
        row[m] = below[m] + (_ABSORB if pattern.any_lines else 0)
        for j in range(m - 1, -1, -1):
            if pattern.any_lines:
                row[j] = max(row[j + 1], below[j]) + _ABSORB
            else:
                gain = _PAIR if pattern.matches(lines[j]) else _CHANGE
                row[j] = max(row[j + 1], below[j], below[j + 1] + gain)
    steps: list[AlignmentStep] = []
    i = j = 0
    while i < n or j < m:
        pattern = pats[i] if i < n else None
        if pattern is not None and pattern.any_lines:
            if j < m and best[i][j] == best[i][j + 1] + _ABSORB:
                steps.append(AlignmentStep("absorbed", i, j))
                j += 1
            else:
                steps.append(AlignmentStep("same", i, None))
                i += 1
        elif (
            pattern is not None
            and j < m
            and best[i][j]
            == best[i + 1][j + 1] + (gain := _PAIR if pattern.matches(lines[j]) else _CHANGE)
        ):
            steps.append(AlignmentStep("same" if gain == _PAIR else "changed", i, j))
            i += 1
            j += 1
        elif pattern is not None and (j == m or best[i][j] == best[i + 1][j]):
            steps.append(AlignmentStep("missing", i, None))
            i += 1
        else:
            steps.append(AlignmentStep("extra", None, j))
            j += 1
    return steps


def _difflib_alignment(patterns: list[LinePattern], lines: list[str]) -> list[AlignmentStep]:
    import difflib

    steps: list[AlignmentStep] = []
    matcher = difflib.SequenceMatcher(None, [p.text for p in patterns], lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps += [AlignmentStep("same", i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            steps += [AlignmentStep("missing", i, None) for i in range(i1, i2)]
            steps += [AlignmentStep("extra", None, j) for j in range(j1, j2)]
    return steps


class DiffRow(NamedTuple):
    """One line of a diff, and how many expected and actual lines it stands for."""

    sign: str  # " " context, "-" expected only, "+" actual only
    text: str
    expected_lines: int  # counted on the `-` side of a hunk header
    actual_lines: int  # counted on the `+` side


def render_diff(
    steps: Sequence[AlignmentStep], expected: Sequence[str], actual: Sequence[str], context: int = 3
) -> str:
    """A unified-style diff (`--- expected`, `+++ actual`, `@@` hunks) of an alignment.

    Lines a wildcard accounted for are context, shown as they actually were. Hunk
    headers count expected lines on the `-` side and actual lines on the `+` side.
    """
    rows: list[DiffRow] = []
    pending_expected = 0  # a `...` that ended: an expected line with no row of its own
    for step in steps:
        if step.kind == "same" and step.actual is None:
            pending_expected += 1
            continue
        if step.kind == "same":
            row = DiffRow(" ", actual[step.actual], 1, 1)
        elif step.kind == "absorbed":
            row = DiffRow(" ", actual[step.actual], 0, 1)
        elif step.kind == "changed":
            rows.append(DiffRow("-", expected[step.expected], 1 + pending_expected, 0))
            pending_expected = 0
            row = DiffRow("+", actual[step.actual], 0, 1)
        elif step.kind == "missing":
            row = DiffRow("-", expected[step.expected], 1, 0)
        else:
            row = DiffRow("+", actual[step.actual], 0, 1)
        rows.append(row._replace(expected_lines=row.expected_lines + pending_expected))
        pending_expected = 0
    changed = [k for k, row in enumerate(rows) if row.sign != " "]
    if not changed:
        return ""
    hunks: list[tuple[int, int]] = []
    for k in changed:
        start, end = max(0, k - context), min(len(rows), k + context + 1)
        if hunks and start <= hunks[-1][1]:
            hunks[-1] = (hunks[-1][0], end)
        else:
            hunks.append((start, end))
    out = ["--- expected", "+++ actual"]
    for start, end in hunks:
        old_start = 1 + sum(row.expected_lines for row in rows[:start])
        new_start = 1 + sum(row.actual_lines for row in rows[:start])
        old_len = sum(row.expected_lines for row in rows[start:end])
        new_len = sum(row.actual_lines for row in rows[start:end])
        out.append(f"@@ -{old_start},{old_len} +{new_start},{new_len} @@")
        out += [row.sign + row.text for row in rows[start:end]]
    return "\n".join(out)
