"""The Docker engine and Compose, as the measurement uses them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

PROVENANCE_LABEL = "org.papertrade.base.provenance"
BUILDER_LABEL = "org.papertrade.base.builder"


class DockerError(RuntimeError):
    """A docker command failed; the message carries the end of its output."""


def run(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, tail: int = 25
) -> str:
    """Run a command, return its stdout; on failure raise with its last lines of output."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = "\n".join(result.stdout.rstrip().splitlines()[-tail:])
        raise DockerError(
            f"`{' '.join(args)}` failed with exit status {result.returncode}:\n{last}"
        )
    return result.stdout


# What every `docker compose` of the project's own runs with (the Makefile exports the
# same for the pages): BuildKit, and no bake (this engine's CLI has no buildx).
COMPOSE_SETTINGS = {"COMPOSE_BAKE": "false", "DOCKER_BUILDKIT": "1"}


def compose_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for `docker compose`: `base` (ours by default) and the settings."""
    env = dict(os.environ if base is None else base, **COMPOSE_SETTINGS)
    env.update(extra)
    return env


def inspect_image(reference: str) -> dict[str, Any]:
    return json.loads(run(["docker", "image", "inspect", reference]))[0]


def provenance(reference: str) -> dict[str, str]:
    """Where a base image came from: bootstrapped here (its labels say how) or pulled."""
    info = inspect_image(reference)
    labels = (info.get("Config") or {}).get("Labels") or {}
    if BUILDER_LABEL in labels:
        return {
            "source": "bootstrapped",
            "how": labels.get(PROVENANCE_LABEL, ""),
            "builder": labels[BUILDER_LABEL],
            "debian_version": labels.get("org.opencontainers.image.version", ""),
            "created": labels.get("org.opencontainers.image.created", ""),
        }
    digests = info.get("RepoDigests") or []
    return {"source": "pulled", "digest": digests[0] if digests else ""}


def engine_facts() -> dict[str, Any]:
    """Engine and Compose versions and the machine they run on."""
    info = json.loads(run(["docker", "info", "--format", "{{json .}}"]))
    return {
        "engine_version": info.get("ServerVersion", ""),
        "compose_version": run(["docker", "compose", "version", "--short"]).strip(),
        "cpus": int(info.get("NCPU", 0)),
        "memory_bytes": int(info.get("MemTotal", 0)),
        "kernel": info.get("KernelVersion", ""),
        "operating_system": info.get("OperatingSystem", ""),
        "architecture": info.get("Architecture", ""),
        "storage_driver": info.get("Driver", ""),
    }
