"""`make measure-installers`: a one-off comparison of pip and uv installing the backend's
production lock (docker/backend/requirements.txt), written under `installers` in
docs/data/measurements.json with its date and machine.

    python -m papertrade_docs.measure --installers [--tries 3]

Each installer builds its target of installers.Dockerfile (read that file's header for
why it lives here and not in docker/backend/Dockerfile) cold, `--no-cache`, `--tries`
times, alternating which goes first; the figures are medians. A build of a target is
timed whole (what the cold build of an image pays for that installer), and its RUN steps
are timed from BuildKit's plain progress: for pip a venv with ensurepip's pip, then the
lock; for uv, uv itself installed by pip (requirements-build.txt), then the lock.

The engine may be busy with other builds, and PyPI answers through the network: the
samples and the load average are recorded beside the medians, so noise shows. This is
not part of `make measure`, which it would make minutes longer; it keeps `make
measure`'s sections and `make measure` keeps this one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from papertrade_docs.measure.docker_cli import (
    DockerError,
    compose_env,
    engine_facts,
    inspect_image,
    run,
)
from papertrade_docs.measure.measurements import (
    DATA_FILE,
    INSTALLER_STEPS,
    MeasurementsError,
    write_atomically,
)
from papertrade_docs.measure.progress import Progress

TRIES = 3
COMMAND = "make measure-installers"
DOCKERFILE = Path(__file__).with_name("installers.Dockerfile")
BACKEND = Path("docker/backend")  # relative to the project root
LOCK = "requirements.txt"
BASE_TARGET = "python"  # the production Dockerfile's stage the comparison starts from
# The RUN steps of each target, in the Dockerfile's order (measurements.py names them).
STEPS = INSTALLER_STEPS
VERSION_COMMANDS = {
    "pip": ["/opt/venv/bin/pip", "--version"],
    "uv": ["/opt/build/bin/uv", "--version"],
}
COLD = (
    "each target built with `docker compose build --no-cache`: every step of it runs, "
    "from the production Dockerfile's `python` stage (built beforehand, not timed); no "
    "download cache, so every wheel is downloaded from PyPI each time"
)

# `#9 [pip pip 2/2] RUN ...`: Compose puts the service before the stage and its position.
_STEP = re.compile(r"^#(\d+) \[(?:\S+ )?(\S+) (\d+)/(\d+)\] RUN\b")
_DONE = re.compile(r"^#(\d+) DONE (\d+(?:\.\d+)?)s$")


class InstallersError(RuntimeError):
    """The comparison could not be made; the message says why."""


def main(root: Path, tries: int = TRIES) -> int:
    path = root / DATA_FILE
    try:
        if not path.is_file():
            raise InstallersError(f"{DATA_FILE} does not exist: run `make measure` first")
        section = compare(root, tries)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["installers"] = section
        write_atomically(path, data)
    except (DockerError, InstallersError, MeasurementsError, json.JSONDecodeError) as error:
        print(f"measure --installers: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("measure --installers: interrupted; nothing written", file=sys.stderr)
        return 130
    print(summary(section), file=sys.stderr)
    print(f"measure --installers: wrote `installers` in {DATA_FILE}", file=sys.stderr)
    return 0


def compare(root: Path, tries: int) -> dict[str, Any]:
    progress = Progress()
    context = root / BACKEND
    lock = context / LOCK
    lock_hash = sha256(lock)
    with progress.step("engine", "reading versions"):
        facts = engine_facts()
    when = datetime.now(UTC).replace(microsecond=0)
    load_before = os.getloadavg()[0]
    run_id = uuid.uuid4().hex[:8]
    tags = {name: f"papertrade-measure/installers-{name}:{run_id}" for name in ("base", *STEPS)}
    samples: dict[str, dict[str, list[float]]] = {
        name: {"build": [], **{step: [] for step in steps}} for name, steps in STEPS.items()
    }
    created: list[str] = []  # image ids of the throwaway builds, removed at the end
    versions: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="papertrade-installers-") as temporary:
        compose_file = Path(temporary) / "compose.yaml"
        compose_file.write_text(
            yaml.safe_dump(compose_document(context, tags, run_id), sort_keys=False),
            encoding="utf-8",
        )
        compose = ["docker", "compose", "-f", str(compose_file)]
        env = compose_env()
        try:
            with progress.step("base", f"building the production `{BASE_TARGET}` stage"):
                run([*compose, "build", "base"], env=env)
            for attempt in range(tries):
                order = list(STEPS) if attempt % 2 == 0 else list(reversed(STEPS))
                for name in order:
                    text = f"try {attempt + 1} of {tries}: cold build"
                    with progress.step(name, text):
                        started = time.monotonic()
                        output = run(
                            [*compose, "--progress", "plain", "build", "--no-cache", name],
                            env=env,
                        )
                        seconds = time.monotonic() - started
                    created.append(_image_id(tags[name]))
                    samples[name]["build"].append(round(seconds, 2))
                    for step, value in step_seconds(output, name, STEPS[name]).items():
                        samples[name][step].append(value)
            for name, command in VERSION_COMMANDS.items():
                versions[name] = run(
                    ["docker", "run", "--rm", "--network", "none", "--entrypoint", command[0],
                     tags[name], *command[1:]]
                ).split()[1]
        finally:
            _remove(tags, created)
    if sha256(lock) != lock_hash:
        raise InstallersError(f"{BACKEND / LOCK} changed during the comparison: run it again")
    return {
        "measured": {
            "when": when.isoformat().replace("+00:00", "Z"),
            "command": COMMAND,
            "machine": {
                "cpus": facts["cpus"],
                "architecture": facts["architecture"],
                "memory_bytes": facts["memory_bytes"],
            },
            "engine_version": facts["engine_version"],
            "compose_version": facts["compose_version"],
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "shared_engine": "other builds may have run on the same engine at the time",
        },
        "how": {"cold": COLD, "tries": tries, "statistic": "median"},
        "lock": {
            "file": (BACKEND / LOCK).as_posix(),
            "sha256": lock_hash,
            "packages": count_packages(lock.read_text(encoding="utf-8")),
        },
        "installers": {
            name: {
                "version": versions[name],
                **{
                    f"{key}_seconds": round(statistics.median(values), 2)
                    for key, values in samples[name].items()
                },
                "samples": samples[name],
            }
            for name in STEPS
        },
    }


def compose_document(context: Path, tags: dict[str, str], run_id: str) -> dict[str, Any]:
    """The throwaway Compose file: the production `python` stage, then pip's and uv's."""
    bundle = os.environ.get("EXTRA_CA_BUNDLE") or "/dev/null"
    variant = {
        name: {
            "image": tags[name],
            "build": {
                "context": str(context),
                "dockerfile": str(DOCKERFILE),
                "target": name,
                "args": {"BASE": tags["base"]},
                "secrets": ["extra_ca"],
            },
        }
        for name in STEPS
    }
    return {
        "name": f"papertrade-installers-{run_id}",
        "services": {
            "base": {
                "image": tags["base"],
                "build": {"context": str(context), "target": BASE_TARGET},
            },
            **variant,
        },
        "secrets": {"extra_ca": {"file": bundle}},
    }


def step_seconds(output: str, target: str, names: tuple[str, ...]) -> dict[str, float]:
    """The RUN steps of `target` in BuildKit's plain progress, named in Dockerfile order."""
    steps: dict[str, int] = {}  # step number -> position in the stage
    done: dict[str, float] = {}
    for line in output.splitlines():
        if match := _STEP.match(line):
            if match[2] == target:
                steps[match[1]] = int(match[3])
        elif (match := _DONE.match(line)) and match[1] in steps:
            done[match[1]] = float(match[2])
    ordered = [done[number] for number in sorted(steps, key=steps.get) if number in done]
    if len(ordered) != len(names):
        raise InstallersError(
            f"{target}: expected {len(names)} timed RUN steps in the build output, "
            f"found {len(ordered)}; has {DOCKERFILE.name} changed?"
        )
    return dict(zip(names, ordered, strict=True))


def count_packages(lock_text: str) -> int:
    """Pinned requirements (`name==version`) in a lock."""
    return sum(1 for line in lock_text.splitlines() if re.match(r"^[A-Za-z0-9][\w.-]*==", line))


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def summary(section: dict[str, Any]) -> str:
    lines = []
    for name, figures in section["installers"].items():
        steps = ", ".join(
            f"{step} {figures[f'{step}_seconds']:.1f} s" for step in STEPS[name]
        )
        lines.append(
            f"  {name:<4} {figures['version']:<8} build {figures['build_seconds']:>6.1f} s "
            f"({steps}); samples {figures['samples']['build']}"
        )
    return "\n".join(lines)


def _image_id(tag: str) -> str:
    return inspect_image(tag)["Id"]


def _remove(tags: dict[str, str], created: list[str]) -> None:
    """Remove this run's own tags and the images its builds made; nothing else."""
    for reference in [*tags.values(), *created]:
        try:
            run(["docker", "image", "rm", reference])
        except DockerError:
            pass  # never built, or already gone with its tag
