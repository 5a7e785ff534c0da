"""Build each image with `docker compose build` and record what it came to."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from papertrade_docs.measure import dockerfile
from papertrade_docs.measure.compose_builds import ImageBuild
from papertrade_docs.measure.context_hash import context_hash
from papertrade_docs.measure.docker_cli import compose_env, inspect_image, provenance, run
from papertrade_docs.measure.progress import Progress


def build_and_inspect(
    build: ImageBuild,
    copy: ImageBuild,
    progress: Progress,
    env_file: Path | None,
    root: Path,
) -> dict[str, Any]:
    """Build `copy` (the same files as `build`, outside the checkout) and describe it.

    `build` points into the repository: its hash is the one the tests recompute.
    """
    name = build.image.name
    recorded_hash = context_hash(build.context, build.dockerfile)
    built_hash = context_hash(copy.context, copy.dockerfile)
    if built_hash != recorded_hash:
        raise RuntimeError(
            f"{name}: the copy of {build.context} differs from the checkout; "
            "is something editing docker/ right now? Run `make measure` again"
        )
    compose_file = copy.compose_file
    command = ["docker", "compose", "-f", str(compose_file)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    command += ["build"]
    # Cold: every step of every stage the target needs runs again (`--no-cache`); only
    # the base image is reused, present on the engine and never pulled. Nothing keeps a
    # download cache (apt lists are removed, pip and uv run without one, npm ci starts
    # empty), so apt, PyPI and npm are fetched anew. Warm: the same command straight
    # after, nothing changed, so every step comes from the build cache.
    with progress.step(name, f"building {build.tag} cold (no build cache)"):
        started = time.monotonic()
        run([*command, "--no-cache", build.image.service], cwd=compose_file.parent,
            env=compose_env())
        cold_seconds = time.monotonic() - started
    with progress.step(name, f"rebuilding {build.tag} warm (everything cached)"):
        started = time.monotonic()
        run([*command, build.image.service], cwd=compose_file.parent, env=compose_env())
        warm_seconds = time.monotonic() - started
    if context_hash(build.context, build.dockerfile) != recorded_hash:
        raise RuntimeError(
            f"{build.context} changed while {name} was built: run `make measure` again"
        )

    info = inspect_image(build.tag)
    stages = dockerfile.read(build.dockerfile)
    base = dockerfile.base_image(stages, build.target)
    return {
        "image": build.tag,
        "size_bytes": int(info["Size"]),
        "layers": len(info["RootFS"].get("Layers") or []),
        "cold_build_seconds": round(cold_seconds, 1),
        "warm_build_seconds": round(warm_seconds, 2),
        "base_image": base,
        "provenance": _base_provenance(base),
        "build_from": dockerfile.external_images(stages, build.target),
        "context_hash": recorded_hash,
        "context": build.context.relative_to(root).as_posix(),
        "dockerfile": build.dockerfile.relative_to(root).as_posix(),
        "target": build.target,
        "id": info["Id"],
    }


def base_images(references: set[str]) -> dict[str, dict[str, Any]]:
    """Size and provenance of each outside image the builds started from."""
    described = {}
    for reference in sorted(references):
        info = inspect_image(reference)
        described[reference] = {
            "id": info["Id"],
            "size_bytes": int(info["Size"]),
            "layers": len(info["RootFS"].get("Layers") or []),
            "provenance": provenance(reference),
        }
    return described


def _base_provenance(base: str) -> dict[str, str]:
    if base == dockerfile.SCRATCH:
        return {"source": "scratch", "how": "the final stage starts from an empty file system"}
    return provenance(base)
