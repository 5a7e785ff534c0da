"""Output as a terminal shows it: ANSI escapes removed, carriage-return overwrites
applied, trailing whitespace and blank lines leading or trailing it dropped."""

from __future__ import annotations

import re

# CSI sequences (colours, cursor moves), OSC sequences (titles, links), and two-byte escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


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
