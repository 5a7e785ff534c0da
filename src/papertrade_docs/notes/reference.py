"""What the contributor's page ("Writing a progress note") lists, as Markdown: the allowed
categories, the authors, and the macros that quote a measured figure. Read from
mkdocs.yml, the authors file and the macros themselves, so the page cannot drift."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import yaml

from papertrade_docs.notes.settings import NoteSettings


def categories_list(settings: NoteSettings) -> str:
    """`Foundation`, `Stack`, ...: mkdocs.yml's `categories_allowed`, in its order."""
    return ", ".join(f"`{name}`" for name in settings.categories)


def authors_table(settings: NoteSettings) -> str:
    """One row per author of the authors file: the key a note names, and who it is."""
    authors = yaml.safe_load(settings.authors_file.read_text(encoding="utf-8"))["authors"]
    rows = ["| key (`AUTHOR=`) | name | writes about |", "| --- | --- | --- |"]
    for key, entry in authors.items():
        rows.append(f"| `{key}` | {entry.get('name', '')} | {entry.get('description', '')} |")
    return "\n".join(rows)


def quoting_table(macros: Sequence[tuple[str, Sequence[str], Callable[..., str]]]) -> str:
    """One row per (macro name, the arguments it takes, the macro): how it is called, its
    arguments, and what it shows today for the first of them."""
    rows = ["| macro | arguments | shows today |", "| --- | --- | --- |"]
    for name, arguments, function in macros:
        parameters = ", ".join(inspect.signature(function).parameters)
        taken = ", ".join(f"`{argument}`" for argument in arguments) or "none"
        shown = function(*arguments[:1])
        example = f" (`{arguments[0]}`)" if arguments else ""
        rows.append(f"| `{name}({parameters})` | {taken} | {shown}{example} |")
    return "\n".join(rows)
