"""`python -m execdocs list`: what each page would run, without running anything.

Each block of a loaded page becomes one entry: `page`, `line` (of the opening fence),
`language`, `action` (`run`, `skip`, `background`, `file` or `show`), `hidden`, and as
they apply `reason` (for skips), `requires` (the condition decided when the page runs),
`origin` (when the block comes from another file, as `file:line`), and for console
blocks `commands`, each as bash receives it.
"""

from __future__ import annotations

from typing import Any

from execdocs.model import Block, Page


def page_entries(page: Page) -> list[dict[str, Any]]:
    """The entries of every block of `page`, in order."""
    page_skip = page.options.get("skip")
    return [_entry(page, block, page_skip) for block in page.blocks]


def _entry(page: Page, block: Block, page_skip: object) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "page": str(page.path),
        "line": block.origin.line,
        "language": block.lang,
        "action": _action(block),
        "hidden": block.hidden,
    }
    if block.origin.path != page.path:
        entry["origin"] = str(block.origin)
    if page_skip and entry["action"] != "show":
        entry["action"], entry["reason"] = "skip", str(page_skip)
    elif entry["action"] == "skip":
        entry["reason"] = block.options.get("reason", "")
    if "requires" in block.options:
        entry["requires"] = block.options["requires"]
    if block.kind == "console":
        entry["commands"] = [command.text for command in block.commands]
    return entry


def _action(block: Block) -> str:
    if block.kind == "shown":
        return "show"
    test = block.options.get("test")
    if test == "skip":
        return "skip"
    if test == "background":
        return "background"
    return "file" if block.kind == "file" else "run"


def entry_text(entry: dict[str, Any]) -> str:
    """An entry as lines for a reader: where, what, why; then the commands."""
    where = f"{entry['page']}:{entry['line']}"
    words = [f"{where:<28}", f"{entry['action']:<10}", entry["language"] or "(no language)"]
    if entry["hidden"]:
        words.append("(hidden)")
    if "requires" in entry:
        words.append(f"requires {entry['requires']}")
    if "reason" in entry:
        words.append(f"- {entry['reason']}")
    lines = ["  ".join(words).rstrip()]
    for command in entry.get("commands", []):
        first, *rest = command.split("\n")
        lines += [f"    $ {first}", *(f"    > {line}" for line in rest)]
    return "\n".join(lines)
