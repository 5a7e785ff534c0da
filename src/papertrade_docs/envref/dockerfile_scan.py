"""Variables a Dockerfile declares: every `ARG` (a build can set it with `--build-arg`),
the `ENV` of the stages that make up the image a service runs (what its programs see),
and the shell scripts copied into that image (its entry point, its health check), whose
reads `script_scan` finds."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from papertrade_docs.envref.script_scan import is_shell_script, scan_script
from papertrade_docs.envref.usage import Usage

_CONTINUATION = re.compile(r"\\\s*$")
_INSTRUCTION = re.compile(r"^\s*(?P<keyword>[A-Za-z]+)\s*(?P<arguments>.*)$", re.DOTALL)


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, ENV, ARG, COPY, ...
    arguments: str  # continuation lines joined, comments inside them dropped
    line: int  # where the instruction starts
    lines: list[tuple[int, str]]  # its physical lines, to place each name on its own


@dataclass
class Stage:
    name: str  # `AS name`, or its index
    parent: str | None  # the earlier stage it starts from, if it starts from one
    instructions: list[Instruction] = field(default_factory=list)


@dataclass(frozen=True)
class Build:
    """One image a Compose service builds: its Dockerfile and target stage."""

    dockerfile: Path  # relative to the repository's root
    context: Path  # relative to the repository's root
    target: str | None  # None: the last stage
    services: tuple[str, ...]


def parse(text: str) -> tuple[list[Instruction], list[Stage]]:
    """The global instructions (before the first FROM) and the stages, in order."""
    global_instructions: list[Instruction] = []
    stages: list[Stage] = []
    for instruction in _instructions(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            base = words[0].lower() if words else ""
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            known = {stage.name for stage in stages}
            stages.append(Stage(name or str(len(stages)), base if base in known else None))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            global_instructions.append(instruction)
    return global_instructions, stages


def image_stages(stages: list[Stage], target: str | None) -> list[Stage]:
    """The target stage and every stage it starts from: what ends up in the image."""
    by_name = {stage.name: stage for stage in stages}
    stage = by_name.get(target.lower()) if target else (stages[-1] if stages else None)
    chain = []
    while stage is not None and stage not in chain:
        chain.append(stage)
        stage = by_name.get(stage.parent) if stage.parent else None
    return list(reversed(chain))


def scan_build(build: Build, root: Path) -> list[Usage]:
    """ARGs of the whole Dockerfile, ENVs and copied scripts of the target's image."""
    path = root / build.dockerfile
    relative = str(build.dockerfile)
    global_instructions, stages = parse(path.read_text())
    usages: list[Usage] = []
    every_instruction = global_instructions + [i for s in stages for i in s.instructions]
    for instruction in every_instruction:
        if instruction.keyword == "ARG":
            usages += _declared(instruction, relative, "build-arg", build.services, _args)
    for stage in image_stages(stages, build.target):
        for instruction in stage.instructions:
            if instruction.keyword == "ENV":
                usages += _declared(instruction, relative, "env", build.services, _envs)
            elif instruction.keyword in ("COPY", "ADD"):
                for script in _copied_scripts(instruction, root / build.context):
                    usages += scan_script(script, root, build.services)
    return usages


def image_scripts(build: Build, root: Path) -> list[Path]:
    """The shell scripts copied from the build context into the target's image."""
    _, stages = parse((root / build.dockerfile).read_text())
    return [
        script
        for stage in image_stages(stages, build.target)
        for instruction in stage.instructions
        if instruction.keyword in ("COPY", "ADD")
        for script in _copied_scripts(instruction, root / build.context)
    ]


def _declared(instruction, relative, kind, services, names_of) -> list[Usage]:
    return [
        Usage(name, relative, _line_of(name, instruction), "dockerfile", kind, service,
              default=value)
        for name, value in names_of(instruction.arguments)
        for service in (services or (None,))
    ]


def _args(arguments: str) -> list[tuple[str, str | None]]:
    pairs = []
    for word in shlex.split(arguments):
        name, equals, value = word.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


def _envs(arguments: str) -> list[tuple[str, str | None]]:
    words = shlex.split(arguments)
    if words and "=" not in words[0]:  # the old form: ENV NAME value with spaces
        return [(words[0], " ".join(words[1:]))]
    return [(name, value) for name, _, value in (word.partition("=") for word in words)]


def _copied_scripts(instruction: Instruction, context: Path) -> list[Path]:
    """Shell scripts a COPY or ADD takes from the build context (not `--from` a stage)."""
    arguments = instruction.arguments.strip()
    if arguments.startswith("<<"):
        return []  # a here-document: no file of the context
    if arguments.startswith("["):
        words = json.loads(arguments)
    else:
        words = shlex.split(arguments)
    options = [w for w in words if w.startswith("--")]
    if any(option.startswith("--from") for option in options):
        return []
    sources = [w for w in words if not w.startswith("--")][:-1]
    scripts: list[Path] = []
    for source in sources:
        for match in sorted(context.glob(source)) if _is_glob(source) else [context / source]:
            files = sorted(match.rglob("*")) if match.is_dir() else [match]
            scripts += [p for p in files if p.is_file() and is_shell_script(p)]
    return scripts


def _is_glob(source: str) -> bool:
    return any(char in source for char in "*?[")


def _line_of(name: str, instruction: Instruction) -> int:
    pattern = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")
    for number, text in instruction.lines:
        if pattern.search(text):
            return number
    return instruction.line


def _instructions(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comment lines left out."""
    instructions: list[Instruction] = []
    pending: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        pending.append((number, raw))
        if _CONTINUATION.search(raw):
            continue
        joined = " ".join(_CONTINUATION.sub("", line) for _, line in pending)
        match = _INSTRUCTION.match(joined)
        if match:
            instructions.append(
                Instruction(match.group("keyword").upper(), match.group("arguments").strip(),
                            pending[0][0], pending)
            )
        pending = []
    return instructions
