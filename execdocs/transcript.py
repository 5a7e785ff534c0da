"""Console transcripts: split a block into commands, and match their output.

`parse_transcript` turns the lines of a ```console block into `Command`s: `$ ` starts a
command, a line ending in `\\` continues it onto the next line, and following lines that
start with `> ` (the shell's second prompt) continue it while bash would still be
waiting for more (an open quote, a heredoc, an unclosed `if`, a trailing `|` ...); once
the command is complete, `> ` lines are output (npm prints its scripts that way). The
other lines are the expected output of the command above them; blank lines leading or
trailing that output are layout, not output.

`match(expected, actual)` checks a command's output the way a reader compares it with
their terminal: ANSI escapes removed, trailing whitespace ignored; a line that is exactly
`...` stands for any number of lines (none included), `...` inside a line for any text
within that line, and a line ending in ` (re)` is a regular expression for the whole
line. It runs in time proportional to (expected lines x actual lines), however many
`...` there are. On a mismatch, `Match.diff` is a unified-style diff in which lines a
wildcard accounted for are shown as context, not as differences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from execdocs import shell_syntax
from execdocs.model import Command, InvalidPage, Origin

PROMPT = "$ "
SECOND_PROMPT = "> "
ANY_LINES = "..."
REGEX_SUFFIX = " (re)"

# CSI sequences (colours, cursor moves), OSC sequences (titles, links), and two-byte escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


# --- parsing -------------------------------------------------------------------------


def parse_transcript(lines: Sequence[str], origins: Sequence[Origin]) -> list[Command]:
    """The commands of a console block whose body is `lines` (one `Origin` per line)."""
    [commands], problems = parse_transcripts([(lines, origins)])
    if commands is None:
        raise InvalidPage.several(problems)
    return commands


def parse_transcripts(
    blocks: Sequence[tuple[Sequence[str], Sequence[Origin]]],
) -> tuple[list[list[Command] | None], list[InvalidPage]]:
    """The commands of several console blocks (body lines, origins), None for each block
    that is invalid, and the problems of those.

    Whether a `> ` line continues a command is bash's to say (`execdocs.shell_syntax`);
    the texts it is asked about are gathered over all the blocks first, in two rounds,
    so that a page costs one or two bash processes.
    """
    blocks = [(list(lines), list(origins)) for lines, origins in blocks]
    asks = any(_is_continuation(line) for lines, _ in blocks for line in lines)
    for round_ in (_FirstGuess, _SecondGuess) if asks else ():
        guess = round_()
        for lines, origins in blocks:
            try:
                _commands(lines, origins, guess)
            except InvalidPage:
                pass  # reported by the real pass below
        try:
            shell_syntax.verdicts(guess.asked)
        except shell_syntax.ShellUnavailable:
            break  # reported, for each command that needs bash, by the real pass below
    results: list[list[Command] | None] = []
    problems: list[InvalidPage] = []
    for lines, origins in blocks:
        try:
            results.append(_commands(lines, origins, _ask_bash))
        except InvalidPage as error:
            results.append(None)
            problems.append(error)
    return results, problems


Decide = Callable[[str, "shell_syntax.Verdict | None"], "shell_syntax.Verdict"]


def _commands(lines: list[str], origins: list[Origin], decide: Decide) -> list[Command]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return []
    if not _is_command(lines[first]):
        raise InvalidPage(
            origins[first],
            f"a console block must start with a `$ ` command line, not {lines[first].strip()!r};"
            " start it with `$ command` or use ```text for output alone",
        )
    commands: list[Command] = []
    i = first
    while i < len(lines):
        origin = origins[i]
        parts = [lines[i][len(PROMPT.rstrip()) :].removeprefix(" ")]
        i += 1
        previous: shell_syntax.Verdict | None = None
        while i < len(lines):
            if parts[-1].endswith("\\"):
                parts.append(lines[i])
            elif _is_continuation(lines[i]):
                try:
                    previous = decide("\n".join(parts), previous)
                except shell_syntax.ShellUnavailable as error:
                    raise InvalidPage(
                        origin,
                        f"cannot tell whether the `> ` lines below continue this command or"
                        f" are its output: bash could not be asked ({error}); install bash",
                    ) from None
                if previous.complete:
                    break  # `> ` lines after a complete command are its output
                parts.append(lines[i][len(SECOND_PROMPT) :])
            else:
                break
            i += 1
        if not "".join(parts).strip():
            raise InvalidPage(origin, "a `$` prompt with no command; write the command after `$ `")
        expected_from = i
        while i < len(lines) and not _is_command(lines[i]):
            i += 1
        expected_to = i
        # Blank lines leading or trailing the output are layout, not output.
        while expected_from < expected_to and not lines[expected_from].strip():
            expected_from += 1
        while expected_to > expected_from and not lines[expected_to - 1].strip():
            expected_to -= 1
        commands.append(
            Command(
                text="\n".join(parts),
                origin=origin,
                expected=[line.rstrip() for line in lines[expected_from:expected_to]],
                expected_origins=list(origins[expected_from:expected_to]),
            )
        )
    return commands


def _is_command(line: str) -> bool:
    return line.startswith(PROMPT) or line.rstrip() == PROMPT.rstrip()


def _is_continuation(line: str) -> bool:
    return line.startswith(SECOND_PROMPT) or line.rstrip() == SECOND_PROMPT.rstrip()


def _inferred(text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict | None:
    """The verdict on `text` without asking: inside a heredoc until its delimiter line."""
    word = previous.heredoc_word if previous is not None else None
    if word is not None and text.rsplit("\n", 1)[-1].lstrip("\t") != word:
        return previous
    return None


def _ask_bash(text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
    return _inferred(text, previous) or shell_syntax.verdicts([text])[0]


class _FirstGuess:
    """First round: gather the first text of each command followed by `> ` lines."""

    def __init__(self):
        self.asked: list[str] = []

    def __call__(self, text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
        known = shell_syntax.known(text) or _inferred(text, previous)
        if known is not None:
            return known
        self.asked.append(text)
        return shell_syntax.Verdict(True)  # go on as if complete; the next round knows


class _SecondGuess(_FirstGuess):
    """Second round: past a heredoc to its delimiter line; for any other incomplete
    command, every longer text its `> ` lines could make."""

    def __call__(self, text: str, previous: shell_syntax.Verdict | None) -> shell_syntax.Verdict:
        known = shell_syntax.known(text) or _inferred(text, previous)
        if known is not None:
            return known
        self.asked.append(text)
        guessing_on = previous is not None and not previous.complete
        return shell_syntax.Verdict(not guessing_on)


# --- output as a terminal shows it ---------------------------------------------------


def output_lines(output: str) -> list[str]:
    """`output` as the lines a terminal shows: escapes removed, `\\r` overwrites applied,
    trailing whitespace dropped, and blank lines leading or trailing it dropped (they are
    not significant, as in the expected output)."""
    text = _ANSI.sub("", output).replace("\r\n", "\n")
    lines = [_overwrite(line).rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    first = next((k for k, line in enumerate(lines) if line), len(lines))
    return lines[first:]


def _overwrite(line: str) -> str:
    """A line with carriage returns, as the terminal leaves it (progress bars)."""
    if "\r" not in line:
        return line
    shown = ""
    for segment in line.split("\r"):
        shown = segment + shown[len(segment) :]
    return shown


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
    alignment: list[Step] = field(default_factory=list, repr=False)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Step:
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
    return Match(
        False,
        expected_lines,
        actual_lines,
        diff=render_diff(steps, expected_lines, actual_lines),
        alignment=steps,
    )


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


def align(patterns: Sequence[LinePattern | str], lines: Sequence[str]) -> list[Step]:
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
    steps: list[Step] = []
    i = j = 0
    while i < n or j < m:
        pattern = pats[i] if i < n else None
        if pattern is not None and pattern.any_lines:
            if j < m and best[i][j] == best[i][j + 1] + _ABSORB:
                steps.append(Step("absorbed", i, j))
                j += 1
            else:
                steps.append(Step("same", i, None))
                i += 1
        elif (
            pattern is not None
            and j < m
            and best[i][j]
            == best[i + 1][j + 1] + (gain := _PAIR if pattern.matches(lines[j]) else _CHANGE)
        ):
            steps.append(Step("same" if gain == _PAIR else "changed", i, j))
            i += 1
            j += 1
        elif pattern is not None and (j == m or best[i][j] == best[i + 1][j]):
            steps.append(Step("missing", i, None))
            i += 1
        else:
            steps.append(Step("extra", None, j))
            j += 1
    return steps


def _difflib_alignment(patterns: list[LinePattern], lines: list[str]) -> list[Step]:
    import difflib

    steps: list[Step] = []
    matcher = difflib.SequenceMatcher(None, [p.text for p in patterns], lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps += [Step("same", i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            steps += [Step("missing", i, None) for i in range(i1, i2)]
            steps += [Step("extra", None, j) for j in range(j1, j2)]
    return steps


def render_diff(
    steps: Sequence[Step], expected: Sequence[str], actual: Sequence[str], context: int = 3
) -> str:
    """A unified-style diff (`--- expected`, `+++ actual`, `@@` hunks) of an alignment.

    Lines a wildcard accounted for are context, shown as they actually were. Hunk
    headers count expected lines on the `-` side and actual lines on the `+` side.
    """
    rows: list[list] = []  # [sign, text, expected lines, actual lines]
    pending_expected = 0  # a `...` that ended: an expected line with no row of its own
    for step in steps:
        if step.kind == "same" and step.actual is None:
            pending_expected += 1
            continue
        if step.kind == "same":
            row = [" ", actual[step.actual], 1, 1]
        elif step.kind == "absorbed":
            row = [" ", actual[step.actual], 0, 1]
        elif step.kind == "changed":
            rows.append(["-", expected[step.expected], 1 + pending_expected, 0])
            pending_expected = 0
            row = ["+", actual[step.actual], 0, 1]
        elif step.kind == "missing":
            row = ["-", expected[step.expected], 1, 0]
        else:
            row = ["+", actual[step.actual], 0, 1]
        row[2] += pending_expected
        pending_expected = 0
        rows.append(row)
    changed = [k for k, row in enumerate(rows) if row[0] != " "]
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
        old_start = 1 + sum(row[2] for row in rows[:start])
        new_start = 1 + sum(row[3] for row in rows[:start])
        old_len = sum(row[2] for row in rows[start:end])
        new_len = sum(row[3] for row in rows[start:end])
        out.append(f"@@ -{old_start},{old_len} +{new_start},{new_len} @@")
        out += [row[0] + row[1] for row in rows[start:end]]
    return "\n".join(out)
