"""Which images a Dockerfile target starts from: its stages and their FROM lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SCRATCH = "scratch"

_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


@dataclass
class Stage:
    name: str | None
    source: str  # an image reference or an earlier stage's name
    copies_from: list[str] = field(default_factory=list)  # COPY --from=... values


class DockerfileError(ValueError):
    """A Dockerfile this module cannot read, or a target it does not have."""


def parse(text: str, source: str = "Dockerfile") -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for number, instruction in _instructions(text):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        words = rest.split()
        if keyword == "ARG" and not stages:
            for word in words:
                name, _, default = word.partition("=")
                global_args[name] = default.strip("\"'")
        elif keyword == "FROM":
            words = [w for w in words if not w.startswith("--")]
            if not words:
                raise DockerfileError(f"{source}:{number}: FROM without an image")
            image = _substitute(words[0], global_args)
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(name=name, source=image))
        elif keyword in ("COPY", "ADD") and stages:
            for word in words:
                if word.startswith("--from="):
                    stages[-1].copies_from.append(word.removeprefix("--from="))
    if not stages:
        raise DockerfileError(f"{source}: no FROM instruction")
    return stages


def base_image(stages: list[Stage], target: str | None) -> str:
    """The image the target's final file system starts from (`scratch` included)."""
    stage = _stage(stages, target)
    seen = set()
    while True:
        earlier = _by_name(stages, stage.source)
        if earlier is None or id(earlier) in seen:
            return stage.source
        seen.add(id(earlier))
        stage = earlier


def external_images(stages: list[Stage], target: str | None) -> list[str]:
    """Every outside image the target's build uses (FROM and COPY --from), sorted."""
    found: set[str] = set()
    pending = [_stage(stages, target)]
    visited: set[int] = set()
    while pending:
        stage = pending.pop()
        if id(stage) in visited:
            continue
        visited.add(id(stage))
        for reference in [stage.source, *stage.copies_from]:
            earlier = _by_name(stages, reference)
            if earlier is not None:
                pending.append(earlier)
            elif reference != SCRATCH:
                found.add(reference)
    return sorted(found)


def read(path: Path) -> list[Stage]:
    return parse(path.read_text(encoding="utf-8"), source=str(path))


def _stage(stages: list[Stage], target: str | None) -> Stage:
    if target is None:
        return stages[-1]
    stage = _by_name(stages, target)
    if stage is None:
        names = ", ".join(s.name for s in stages if s.name) or "none"
        raise DockerfileError(f"no stage named {target!r} (stages: {names})")
    return stage


def _by_name(stages: list[Stage], reference: str) -> Stage | None:
    for index, stage in enumerate(stages):
        if stage.name is not None and stage.name.lower() == reference.lower():
            return stage
        if reference == str(index):
            return stage
    return None


def _substitute(word: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), ""), word)


def _instructions(text: str):
    """(line number, instruction) with continuation lines joined, comments dropped."""
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        yield start, " ".join(part.strip() for part in pending if part.strip())
        pending = []
    if pending:
        yield start, " ".join(pending)
