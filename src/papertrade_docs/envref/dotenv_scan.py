"""Variables an example env file lists: `NAME=value`, described by the `#` comment
lines right above it."""

from __future__ import annotations

import re
from pathlib import Path

from papertrade_docs.envref.usage import Usage

ASSIGNMENT = re.compile(r"^(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")


def scan_dotenv(path: Path, root: Path) -> list[Usage]:
    relative = str(path.relative_to(root))
    usages: list[Usage] = []
    comment: list[str] = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
            continue
        match = ASSIGNMENT.match(line)
        if match:
            usages.append(
                Usage(
                    name=match.group("name"),
                    path=relative,
                    line=number,
                    source="env-example",
                    default=_unquote(match.group("value").strip()),
                    description=" ".join(comment).strip() or None,
                )
            )
        comment = []
    return usages


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
