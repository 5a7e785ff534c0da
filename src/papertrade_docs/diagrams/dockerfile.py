"""Which stages of a Dockerfile mount a BuildKit secret, of those a target builds.

Compose's `build.secrets` says which secret a service's build may use; the Dockerfile
says which `RUN --mount=type=secret` steps use it, and in which stage. BuildKit builds
only the stages the target needs (its `FROM` chain, `COPY --from=` and
`RUN --mount=from=`), so a stage that mounts the secret counts only when the target
reaches it. A small reader, not a Dockerfile parser: instructions are joined across
`\\` line ends, comments dropped; enough for `FROM`, `COPY` and `RUN` options.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

_FROM = re.compile(r"^FROM\s+(?:--\S+\s+)*(?P<base>\S+)(?:\s+AS\s+(?P<name>\S+))?\s*$", re.I)


@dataclass
class Stage:
    name: str  # the AS name, or its index as text when it has none
    needs: set[str] = field(default_factory=set)  # stages it builds from
    secrets: set[str] = field(default_factory=set)  # secret ids its RUN steps mount


def instructions(text: str) -> list[str]:
    """One string per instruction: comments and blank lines dropped, `\\` lines joined."""
    joined: list[str] = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # blank lines and comments, also inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1].rstrip() + " "
            continue
        joined.append((current + stripped).strip())
        current = ""
    if current.strip():
        joined.append(current.strip())
    return [line for line in joined if line]


def stages(text: str) -> list[Stage]:
    found: list[Stage] = []
    names: dict[str, str] = {}  # AS names, case-insensitive as in BuildKit, and indexes

    def known(reference: str) -> str | None:
        return names.get(reference.lower())

    for instruction in instructions(text):
        keyword = instruction.split(None, 1)[0].upper()
        if keyword == "FROM":
            match = _FROM.match(instruction)
            if not match:
                continue
            index = str(len(found))
            stage = Stage(match["name"] or index)
            base = known(match["base"])
            if base:
                stage.needs.add(base)
            found.append(stage)
            names[index] = stage.name
            if match["name"]:
                names[match["name"].lower()] = stage.name
            continue
        if not found:
            continue  # ARG before the first FROM
        stage = found[-1]
        for option in _options(instruction):
            if keyword == "COPY" and option.startswith("--from="):
                source = known(option.removeprefix("--from="))
                if source:
                    stage.needs.add(source)
            elif keyword == "RUN" and option.startswith("--mount="):
                mount = _mount(option.removeprefix("--mount="))
                if mount.get("type") == "secret":
                    target = mount.get("target") or mount.get("dst") or mount.get("destination")
                    secret = mount.get("id") or (target.rsplit("/", 1)[-1] if target else None)
                    if secret:
                        stage.secrets.add(secret)
                if "from" in mount and known(mount["from"]):
                    stage.needs.add(known(mount["from"]))
    return found


def stages_using_secret(text: str, secret: str, target: str | None) -> list[str]:
    """The stages `target` builds (the last stage without one) that mount `secret`, in
    file order."""
    every = stages(text)
    if not every:
        return []
    by_name = {stage.name: stage for stage in every}
    by_lower = {stage.name.lower(): stage for stage in every}
    start = by_lower.get(target.lower()) if target else every[-1]
    if start is None:
        raise ValueError(f"no stage {target!r} (stages: {', '.join(by_name)})")
    reached: set[str] = set()
    pending = [start.name]
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(by_name[name].needs)
    return [stage.name for stage in every if stage.name in reached and secret in stage.secrets]


def secret_stages(dockerfile: Path, secrets: list[str], target: str | None) -> dict[str, list[str]]:
    """For each secret, the stages of `dockerfile` built for `target` that mount it."""
    text = dockerfile.read_text()
    return {secret: stages_using_secret(text, secret, target) for secret in secrets}


def _options(instruction: str) -> list[str]:
    """The leading `--flag=value` options of an instruction."""
    try:
        words = shlex.split(instruction, posix=True)[1:]
    except ValueError:
        words = instruction.split()[1:]
    options = []
    for word in words:
        if not word.startswith("--"):
            break
        options.append(word)
    return options


def _mount(spec: str) -> dict[str, str]:
    fields = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        fields[key.strip().lower()] = value.strip()
    return fields
