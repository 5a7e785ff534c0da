"""The notes grouped by task, as a Markdown table for the notes' index page."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from papertrade_docs.notes.document import read_note
from papertrade_docs.notes.settings import NoteSettings
from papertrade_docs.notes.validate import note_paths


def _title(path: Path, lines) -> str:
    for line in lines:
        if line.text.startswith("# ") and not line.in_code:
            return line.text[2:].strip()
    return path.stem


def tasks_table(settings: NoteSettings, page_dir: Path) -> str:
    """One row per task, newest task first; every note of the task linked, oldest first."""
    by_task: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for path in note_paths(settings):
        note = read_note(path)
        meta = note.front_matter
        task = str(meta.get("task") or "(no task)")
        link = os.path.relpath(path, page_dir).replace(os.sep, "/")
        by_task[task].append((path.name[:10], _title(path, note.body), link,
                              str(meta.get("status", ""))))
    if not by_task:
        return "*No notes yet.*"
    rows = ["| Task | Notes | Status |", "| --- | --- | --- |"]
    newest_first = sorted(by_task.items(), key=lambda item: max(n[0] for n in item[1]),
                          reverse=True)
    for task, notes in newest_first:
        notes.sort()
        links = "<br>".join(f"{day} [{title}]({link})" for day, title, link, _ in notes)
        rows.append(f"| {task} | {links} | {notes[-1][3]} |")
    return "\n".join(rows)
