"""Update mode: rewrite the expected output of commands whose output did not match.

Only the expected-output lines of the given commands change, in the page's SOURCE file;
every other line stays byte for byte. Within the rewritten output, wildcard lines
(`...`, lines with `...`, ` (re)` lines) that still match are kept, lines that matched
are kept as written, and the rest becomes the actual output. Output that came from a
snippet file, or from a macro-rendered line that does not map 1:1 to the source, is
refused (`UpdateRefused`): the text to change is not in the page. The file is written
atomically (a temporary file renamed over it), so it is never left half written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from execdocs.atomic import write_atomically
from execdocs.matcher import REGEX_SUFFIX, align, match
from execdocs.model import Command, Origin
from execdocs.terminal import output_lines


class UpdateRefused(Exception):
    """An update the source cannot take; the message says where and why."""

    def __init__(self, origin: Origin, message: str):
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message


def updated_expected(expected: Sequence[str], actual: str | Sequence[str]) -> list[str]:
    """New expected lines for `actual`: wildcards and matching lines kept where they fit."""
    actual_lines = output_lines(actual) if isinstance(actual, str) else list(actual)
    new: list[str] = []
    for step in align(list(expected), actual_lines):
        if step.kind == "same":
            new.append(expected[step.expected])
        elif step.kind in ("changed", "extra"):
            new.append(_literal(actual_lines[step.actual]))
        # "absorbed" lines stay covered by their `...`; "missing" lines are dropped.
    return new


def _literal(line: str) -> str:
    """An expected line standing for exactly `line`."""
    if line.endswith(REGEX_SUFFIX):
        return re.escape(line) + REGEX_SUFFIX  # else it would be read as a regex
    return line  # an inline `...` still matches itself, and `...` alone matches anything


def update_source(
    text: str, page: Path, updates: Sequence[tuple[Command, str | Sequence[str]]]
) -> str:
    """`text` (the page's source) with each command's expected output replaced."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    for command, actual in sorted(updates, key=lambda u: u[0].origin.line, reverse=True):
        start, end, prefix = _span(lines, page, command)
        new = updated_expected(command.expected, actual)
        if not match(new, actual):  # by construction it does; never write a failing page
            raise UpdateRefused(command.origin, "cannot express this output as expected lines")
        lines[start:end] = [(prefix + line).rstrip() for line in new]
    return newline.join(lines)


def _span(lines: list[str], page: Path, command: Command) -> tuple[int, int, str]:
    """The 0-based source lines [start, end) holding the command's expected output, and
    the indentation its block has in the source."""
    origin = command.origin
    if not _same_file(origin.path, page):
        raise UpdateRefused(
            origin, f"this command is included from {origin.path}; update it there by hand"
        )
    if not 1 <= origin.line <= len(lines):
        raise UpdateRefused(origin, "the page changed since it was run; run it again")
    prompt_line = lines[origin.line - 1]
    prefix = prompt_line[: max(prompt_line.find("$"), 0)]
    if prefix.strip(" \t>"):
        raise UpdateRefused(origin, "the command's line is rendered by a macro; update by hand")
    for expected, where in zip(command.expected, command.expected_origins, strict=True):
        if not _same_file(where.path, page):
            raise UpdateRefused(
                where, f"this output is included from {where.path}; update it there by hand"
            )
        written = lines[where.line - 1] if where.line <= len(lines) else None
        if written is None or written.removeprefix(prefix).rstrip() != expected.rstrip():
            raise UpdateRefused(
                where, "this output line is rendered by a macro, not written; update it by hand"
            )
    if command.expected:
        numbers = [where.line for where in command.expected_origins]
        if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            raise UpdateRefused(origin, "the output is not one run of source lines; update by hand")
        return numbers[0] - 1, numbers[-1], prefix
    after = origin.line + command.text.count("\n")  # below the command's last line
    return after, after, prefix


def _same_file(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def update_page(path: Path, updates: Sequence[tuple[Command, str | Sequence[str]]]) -> None:
    """Apply `updates` (command, actual output) to the page's source file, atomically."""
    path = Path(path)
    text = path.read_bytes().decode("utf-8")
    new_text = update_source(text, path, updates)
    if new_text != text:
        write_atomically(path, new_text)
