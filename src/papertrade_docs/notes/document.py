"""A note split into its parts, every part keeping the line it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from execdocs import InvalidPage, Origin, find_fences


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the file
    text: str
    in_code: bool  # inside a fenced block, its fences included


@dataclass
class Note:
    path: Path
    front_matter: dict
    key_lines: dict[str, int]  # front matter key -> its line
    front_matter_line: int  # the opening `---`, or 1 when there is none
    body: list[Line] = field(default_factory=list)
    front_matter_error: str | None = None  # why the front matter could not be read
    fence_error: InvalidPage | None = None  # a fence the runner would refuse

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.front_matter_line)


def _mark_code(
    lines: list[str], first_number: int, path: Path
) -> tuple[list[Line], InvalidPage | None]:
    """The lines, each marked whether it belongs to a fenced block (found as the runner
    finds them); an unclosed fence leaves every line marked as text."""
    origins = [Origin(path, first_number + i) for i in range(len(lines))]
    try:
        fences = find_fences(lines, origins)
    except InvalidPage as error:
        return [Line(first_number + i, text, False) for i, text in enumerate(lines)], error
    in_code = {i for fence in fences for i in range(fence.open_line, fence.close_line + 1)}
    marked = [Line(first_number + i, text, i in in_code) for i, text in enumerate(lines)]
    return marked, None


def _key_lines(text: str, first_number: int) -> dict[str, int]:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): first_number + key.start_mark.line for key, _value in node.value
    }


def read_note(path: Path) -> Note:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        body, fence_error = _mark_code(lines, 1, path)
        return Note(path, {}, {}, 1, body, "the note does not start with '---'", fence_error)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return Note(path, {}, {}, 1, [], "the front matter has no closing '---'")
    text = "\n".join(lines[1:end])
    body, fence_error = _mark_code(lines[end + 1 :], end + 2, path)
    try:
        data = yaml.safe_load(text) or {}
        key_lines = _key_lines(text, 2)
    except ValueError as error:  # a well-formed timestamp that is no real date, e.g. Feb 30
        return Note(path, {}, {}, 2, body, f"the front matter holds an impossible date ({error})",
                    fence_error)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        note = Note(path, {}, {}, 1, body, f"the front matter is not valid YAML: {error}",
                    fence_error)
        if mark is not None:
            note.front_matter_line = 2 + mark.line
        return note
    if not isinstance(data, dict):
        return Note(path, {}, {}, 1, body, "the front matter is not a 'key: value' mapping",
                    fence_error)
    return Note(path, data, key_lines, 1, body, fence_error=fence_error)
