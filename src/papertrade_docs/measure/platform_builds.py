"""`make test-arm64`: build the six images for another architecture under emulation, run
each one's version and health smoke, and record their sizes beside the native figures.

    python -m papertrade_docs.measure --platform linux/arm64

The builds start from a base image bootstrapped for that architecture under a name of its
own (docker/setup/base-image.sh with BASE_ARCH; the Dockerfiles take it as the
BASE_IMAGE build argument), and tag their images under a namespace of their own
(`papertrade-arm64/...`), so nothing of the native stack is replaced. The programs run
under qemu-user-static (docker/setup/emulation.sh): build times under emulation say
nothing about a real arm64 machine and are not recorded; sizes and layers are the
images' own. Every container the smoke starts is removed, with its anonymous volumes.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from papertrade_docs.measure.compose_builds import ImageBuild, image_builds
from papertrade_docs.measure.context_hash import context_hash
from papertrade_docs.measure.docker_cli import (
    DockerError,
    compose_env,
    engine_facts,
    inspect_container,
    inspect_image,
    provenance,
    run,
)
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.progress import Progress

PLATFORMS = {"linux/arm64": "arm64"}
HEALTHY_WITHIN = 600  # seconds: emulated start-ups (initdb, Vite) are slow
POLL = 1.0  # seconds between looks at a container's health
EMULATED_CHECK_TIMEOUT = 60  # seconds one health check may take under emulation

# The backend's modules as uvicorn loads them (tests/container/test_backend_image.py
# checks the same natively, against the whole stack).
BACKEND_IMPORTS = (
    "import pkgutil, importlib, platform, papertrade, uvicorn\n"
    "for module in pkgutil.walk_packages(papertrade.__path__, 'papertrade.'):\n"
    "    importlib.import_module(module.name)\n"
    "uvicorn.Config('papertrade.main:app').load()\n"
    "print(platform.machine(), platform.python_version())\n"
)


@dataclass(frozen=True)
class Smoke:
    """What proves an image works: a command and what its output holds, and whether
    the image's own health check must turn healthy (both with `env`)."""

    command: tuple[str, ...]
    prints: str
    healthy: bool = False
    env: dict[str, str] = field(default_factory=dict)


# The production settings refuse to load without the addresses of the database and the
# cache; importing needs no connection, so addresses that lead nowhere do.
BACKEND_ENV = {"DATABASE_URL": "postgresql://papertrade@db:5432/papertrade",
               "REDIS_URL": "redis://cache:6379/0"}

SMOKES: dict[str, Smoke] = {
    "backend-prod": Smoke(("/opt/venv/bin/python", "-c", BACKEND_IMPORTS), "aarch64 3.",
                          env=BACKEND_ENV),
    "backend-dev": Smoke(("python", "-c", BACKEND_IMPORTS), "aarch64 3.", env=BACKEND_ENV),
    "frontend-prod": Smoke(("/usr/sbin/nginx", "-v"), "nginx version: nginx/", healthy=True),
    "frontend-dev": Smoke(("node", "-p", "process.arch + ' ' + process.version"), "arm64 v",
                          healthy=True),
    "db": Smoke(("postgres", "--version"), "postgres (PostgreSQL) 17", healthy=True,
                env={"POSTGRES_PASSWORD": uuid.uuid4().hex}),
    "cache": Smoke(("redis-server", "--version"), "Redis server v=", healthy=True),
}


def namespace(platform: str) -> str:
    return f"papertrade-{PLATFORMS[platform]}"


def base_image(platform: str) -> str:
    return f"{namespace(platform)}/debian:trixie-slim"


def measure_platform(root: Path, platform: str, env_file: Path | None,
                     docker_copy: Path, progress: Progress, *,
                     no_cache: bool = False) -> dict[str, Any]:
    """Build every image of `docker_copy` (a copy of docker/) for `platform`, smoke it,
    and describe it; `root` is the repository, whose files the hashes are taken from.
    `no_cache` builds without the build cache, as a contributor's first run does."""
    started = time.monotonic()
    arch = PLATFORMS[platform]
    base = base_image(platform)
    base_info = inspect_image(base)
    if base_info.get("Architecture") != arch:
        raise DockerError(f"{base} is built for {base_info.get('Architecture')}, not {arch}:"
                          f" run BASE_IMAGE_FORCE=1 BASE_ARCH={arch} BASE_IMAGE={base}"
                          " docker/setup/base-image.sh")
    images: dict[str, Any] = {}
    builds = image_builds(root / "docker")
    # Hashed now, as `docker_copy` was just copied: the build files may change in the
    # checkout during a run that takes an hour.
    hashes = {build.image.name: context_hash(build.context, build.dockerfile)
              for build in builds}
    for number, (build, copied) in enumerate(zip(builds, image_builds(docker_copy),
                                                 strict=True), start=1):
        name = build.image.name
        progress.say(platform, f"{number} of {len(builds)}: {name}")
        tag = f"{namespace(platform)}/{name}"
        before = _image_id(tag)
        with progress.step(name, f"building {tag} for {platform} under emulation"):
            build_for(copied, platform, tag, base, env_file, no_cache=no_cache)
        info = inspect_image(tag)
        if before and before != info["Id"]:
            _remove_replaced(before, tag, progress)
        if info.get("Architecture") != arch:
            raise DockerError(f"{tag} came out {info.get('Architecture')}, not {arch}")
        with progress.step(name, "smoke: version and health under emulation"):
            said = smoke(tag, platform, SMOKES[name])
        images[name] = {
            "image": tag,
            "size_bytes": int(info["Size"]),
            "layers": len(info["RootFS"].get("Layers") or []),
            "context_hash": hashes[name],
            "smoke": said,
        }
    return {
        "measured": {
            "when": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "where": engine_facts(),
            "how": {
                "command": "make test-arm64",
                "emulation": "qemu-user-static through binfmt_misc (docker/setup/emulation.sh)",
                "base_image": base,
                # How long building and smoking all six took, and whether the build
                # cache helped: what a contributor waits for, not an arm64 machine's speed.
                "seconds": round(time.monotonic() - started, 1),
                "build_cache": "none" if no_cache else "reused",
            },
        },
        "base_image": {"size_bytes": int(base_info["Size"]), "provenance": provenance(base)},
        "images": {image.name: images[image.name] for image in IMAGES},
    }


def _image_id(tag: str) -> str | None:
    try:
        return inspect_image(tag)["Id"]
    except DockerError:
        return None  # not built yet


def _remove_replaced(image_id: str, tag: str, progress: Progress) -> None:
    """The image an earlier `make test-arm64` built under `tag`, now untagged by the
    rebuild: this command's own, so removed, unless something still uses it or tags it."""
    try:
        # `docker image rm ID` would also drop the one name still on it: look first.
        names = inspect_image(image_id).get("RepoTags") or []
        if names:
            raise DockerError(f"still tagged {', '.join(names)}")
        run(["docker", "image", "rm", image_id])
    except DockerError as error:
        progress.say(tag, f"kept the image it replaced, {image_id[7:19]}: {error}")


def build_for(build: ImageBuild, platform: str, tag: str, base: str,
              env_file: Path | None, *, no_cache: bool = False) -> None:
    """`docker compose build` of the image's service, for `platform`, tagged `tag`, from
    `base`: an override file beside the Compose file says so, nothing else changes."""
    override = build.compose_file.parent / f"compose.{PLATFORMS[platform]}.{build.image.name}.yaml"
    service = {"image": tag, "platform": platform, "build": {"args": {"BASE_IMAGE": base}}}
    override.write_text(yaml.safe_dump({"services": {build.image.service: service}}))
    command = ["docker", "compose", "-p", f"{namespace(platform)}-build",
               "-f", str(build.compose_file), "-f", str(override)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    options = ["--no-cache"] if no_cache else []
    run([*command, "build", *options, build.image.service], cwd=build.compose_file.parent,
        env=compose_env())


def smoke(tag: str, platform: str, check: Smoke) -> str:
    """Run `check` against the image: its version line, then its health. Returns what it
    printed; raises DockerError with the container's words when anything is off."""
    settings = [f"--env={key}={value}" for key, value in check.env.items()]
    printed = run(["docker", "run", "--rm", "--platform", platform, *settings, "--entrypoint",
                   check.command[0], tag, *check.command[1:]]).strip()
    if check.prints not in printed:
        raise DockerError(f"{tag}: `{' '.join(check.command[:2])}` printed {printed!r},"
                          f" expected {check.prints!r} in it")
    if check.healthy:
        wait_healthy(tag, platform, check.env)
        printed += " (healthy)"
    return printed.splitlines()[-1] if "\n" in printed else printed


def wait_healthy(tag: str, platform: str, env: dict[str, str]) -> None:
    name = f"{tag.replace('/', '-')}-smoke-{uuid.uuid4().hex[:8]}"
    # The image's own health check, with time for emulation: a program that starts in a
    # fraction of a second natively (node, for Vite's check) takes seconds under qemu.
    arguments = ["docker", "run", "-d", "--name", name, "--platform", platform,
                 f"--health-timeout={EMULATED_CHECK_TIMEOUT}s",
                 f"--health-start-period={HEALTHY_WITHIN}s"]
    for key, value in env.items():
        arguments += ["--env", f"{key}={value}"]
    try:
        run([*arguments, tag])
        deadline = time.monotonic() + HEALTHY_WITHIN
        while True:
            state = inspect_container(name)["State"]
            status = (state.get("Health") or {}).get("Status")
            if status == "healthy":
                return
            if not state.get("Running") or status == "unhealthy" or time.monotonic() > deadline:
                logs = subprocess.run(["docker", "logs", "--tail", "15", name], text=True,
                                      capture_output=True, check=False)
                raise DockerError(f"{tag} did not turn healthy under emulation (state"
                                  f" {state.get('Status')}, health {status}):\n"
                                  f"{logs.stdout}{logs.stderr}")
            time.sleep(POLL)
    finally:
        # Only the container this smoke made, with its anonymous volumes (PGDATA).
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, check=False)
