"""Run every rule over every note and collect the problems."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.notes.checks import Problem, check_note
from papertrade_docs.notes.document import read_note
from papertrade_docs.notes.settings import NoteSettings


def note_paths(settings: NoteSettings) -> list[Path]:
    if not settings.posts_dir.is_dir():
        return []
    return sorted(path for path in settings.posts_dir.rglob("*.md") if path.is_file())


def validate(settings: NoteSettings, paths: list[Path] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths if paths is not None else note_paths(settings):
        try:
            note = read_note(path)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, 1, f"cannot be read as UTF-8 text: {error}"))
            continue
        problems.extend(check_note(note, settings))
    return problems
