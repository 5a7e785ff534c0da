"""The Docker engine and Compose, as the measurement uses them: the engine's answers
(images, containers, its facts) through the Docker SDK for Python, one request each;
builds, Compose and what changes the engine through the docker CLI.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from execdocs import EngineError, docker_client, engine_api

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


@functools.cache
def _client() -> Any:
    try:
        return docker_client()
    except EngineError as error:
        raise DockerError(f"{error} (here, `make provision` sets it up and starts it)") from None


def ask(what: str, call: Callable[[Any], Any]) -> Any:
    """`call(api)` on the SDK's low-level API; a refusal or a silent engine is a
    `DockerError` saying `what` was asked."""
    try:
        with engine_api(_client()) as api:
            return call(api)
    except EngineError as error:
        raise DockerError(f"{what}: {error}") from None


def inspect_image(reference: str) -> dict[str, Any]:
    """What `docker image inspect` shows of `reference`."""
    return ask(f"inspecting image {reference}", lambda api: api.inspect_image(reference))


def inspect_container(name: str) -> dict[str, Any]:
    """What `docker container inspect` shows of `name`."""
    return ask(f"inspecting container {name}", lambda api: api.inspect_container(name))


def engine_info() -> dict[str, Any]:
    """What `docker info` shows (the swarm's state under "Swarm")."""
    return ask("asking the engine for its facts", lambda api: api.info())


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
    info = engine_info()
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
