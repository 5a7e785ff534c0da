"""`make measure`: build every image, time the stack, write docs/data/measurements.json.

    python -m papertrade_docs.measure [--tries 5]
    python -m papertrade_docs.measure --installers [--tries 3]   # make measure-installers
    python -m papertrade_docs.measure --platform linux/arm64     # make test-arm64
    python -m papertrade_docs.measure --swarm    # only the rolling update on a swarm

Each image is built twice: cold (no build cache, `cold_build_seconds`) and at once again
warm (nothing changed, every step cached, `warm_build_seconds`); COLD_BUILD and
WARM_BUILD below say exactly what that means, and the data file carries the words.
`--installers` runs the one-off comparison of pip and uv instead (installers.py), and
`--platform` builds, smokes and sizes the images for another architecture under
emulation (platform_builds.py); each run keeps the others' sections of the data file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from papertrade_docs.measure import (
    figure_text,
    installers,
    platform_builds,
    stack_timing,
    swarm_update,
    throwaway_env,
)
from papertrade_docs.measure.build_images import base_images, build_and_inspect
from papertrade_docs.measure.compose_builds import ComposeFileError, image_builds
from papertrade_docs.measure.context_hash import file_hash, git_visible_files, walk
from papertrade_docs.measure.docker_cli import DockerError, engine_facts
from papertrade_docs.measure.dockerfile import DockerfileError
from papertrade_docs.measure.images import IMAGES, STACK_COMPOSE_FILES
from papertrade_docs.measure.measurements import (
    DATA_FILE,
    KEPT_SECTIONS,
    MeasurementsError,
    write_atomically,
)
from papertrade_docs.measure.progress import Progress

DEV_PORTS = ("BACKEND_PORT", "FRONTEND_PORT", "POSTGRES_PORT", "REDIS_PORT")
COLD_BUILD = (
    "`docker compose build --no-cache <service>`: every step of every stage the image "
    "needs runs; the base image debian:trixie-slim is already on the engine and never "
    "pulled; no download cache, so apt, PyPI and npm are fetched anew"
)
WARM_BUILD = (
    "the same `docker compose build <service>` straight after the cold build, nothing "
    "changed: every step comes from the build cache"
)
PROD_PORTS = ("HTTP_PORT",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m papertrade_docs.measure",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository")
    parser.add_argument(
        "--tries", type=int, help="edits timed per reload figure (5); builds per installer (3)"
    )
    parser.add_argument(
        "--installers", action="store_true",
        help="only the one-off comparison of pip and uv on the backend's lock",
    )
    parser.add_argument(
        "--platform", choices=sorted(platform_builds.PLATFORMS),
        help="only: build the images for this platform under emulation, smoke and size them",
    )
    parser.add_argument(
        "--no-cache", action="store_true",
        help="with --platform: build without the build cache, as a first run does",
    )
    parser.add_argument(
        "--swarm", action="store_true",
        help="only the rolling update on a swarm (the Scaling out page's figures)",
    )
    # Gone since every run records cold and warm builds; said plainly rather than
    # argparse's "unrecognized arguments".
    parser.add_argument("--use-build-cache", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.use_build_cache:
        parser.error("--use-build-cache is gone: every run builds each image cold, then warm")
    if args.tries is not None and args.tries < 1:
        parser.error("--tries must be at least 1")
    if args.installers:
        return installers.main(args.root.resolve(), args.tries or installers.TRIES)
    if args.no_cache and not args.platform:
        parser.error("--no-cache goes with --platform (make measure always builds cold and warm)")
    if args.platform:
        return measure_platform(args.root.resolve(), args.platform, no_cache=args.no_cache)
    if args.swarm:
        return swarm_only(args.root.resolve())
    tries = args.tries or 5
    try:
        output = args.root / DATA_FILE
        data = measure(args.root.resolve(), tries, "make measure")
        for key, value in kept_sections(output).items():
            data.setdefault(key, value)  # what this run measured replaces the old
        write_atomically(output, data)
    except (
        DockerError,
        ComposeFileError,
        DockerfileError,
        MeasurementsError,
        stack_timing.StackError,
        RuntimeError,
    ) as error:
        print(f"measure: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("measure: interrupted; nothing written", file=sys.stderr)
        return 130
    print(summary(data), file=sys.stderr)
    print(f"measure: wrote {DATA_FILE}", file=sys.stderr)
    return 0


def measure_platform(root: Path, platform: str, *, no_cache: bool = False) -> int:
    """`--platform`: the images for `platform`, into the data file's `platforms` section."""
    output = root / DATA_FILE
    try:
        with tempfile.TemporaryDirectory(prefix="papertrade-platform-") as temporary:
            copy = Path(temporary) / "docker"
            copy_checkout(root / "docker", copy)
            env_file = write_production_env(copy, {name: 0 for name in PROD_PORTS})
            section = platform_builds.measure_platform(root, platform, env_file, copy,
                                                       Progress(), no_cache=no_cache)
        data = json.loads(output.read_text(encoding="utf-8"))
        data.setdefault("platforms", {})[platform] = section
        write_atomically(output, data)
    except (DockerError, ComposeFileError, DockerfileError, MeasurementsError, OSError,
            ValueError) as error:
        print(f"measure: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("measure: interrupted; nothing written", file=sys.stderr)
        return 130
    for name, figures_ in section["images"].items():
        print(f"  {name:<14} {figure_text.megabytes(figures_['size_bytes']):>7}  "
              f"{figures_['layers']:>2} layers  {figures_['smoke']}", file=sys.stderr)
    print(f"measure: wrote {platform} into {DATA_FILE}", file=sys.stderr)
    return 0


def summary(data: dict[str, Any]) -> str:
    """The figures as a short table, with each image against its budget."""
    lines = []
    for image in IMAGES:
        figures_ = data["images"][image.name]
        verdict = "within" if figures_["size_bytes"] < image.budget_bytes else "OVER"
        lines.append(
            f"  {image.name:<14} {figure_text.megabytes(figures_['size_bytes']):>7}  "
            f"{figures_['layers']:>2} layers  built in {figures_['cold_build_seconds']:>6.1f} s "
            f"cold, {figures_['warm_build_seconds']:>5.2f} s warm  "
            f"{verdict} budget ({figure_text.megabytes(image.budget_bytes)})"
        )
    for key, value in data["stack"].items():
        lines.append(f"  {key:<24} {figure_text.seconds(value)}")
    return "\n".join(lines)


def kept_sections(path: Path) -> dict[str, Any]:
    """What another command wrote into the data file (the installer comparison)."""
    if not path.is_file():
        return {}
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return {key: previous[key] for key in KEPT_SECTIONS if key in previous}


def measure(root: Path, tries: int, command: str) -> dict[str, Any]:
    progress = Progress()
    docker_dir = root / "docker"
    builds = image_builds(docker_dir)
    with progress.step("engine", "reading versions"):
        where = engine_facts()
    when = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="papertrade-measure-") as temporary:
        copy = Path(temporary) / "docker"
        copy_checkout(docker_dir, copy)
        prod_ports = {name: stack_timing.free_port() for name in PROD_PORTS}
        env_file = write_production_env(copy, prod_ports)
        images = {}
        copies = image_builds(copy)
        for number, (build, copied) in enumerate(zip(builds, copies, strict=True), start=1):
            progress.say("images", f"{number} of {len(builds)}: {build.image.name}")
            prod = build.image.compose_file == "compose.prod.yaml"
            images[build.image.name] = build_and_inspect(
                build, copied, progress, env_file if prod else None, root
            )
        stack = measure_stack(copy, env_file, prod_ports, tries, progress)
        swarm = swarm_update.measure(copy, progress, command)
    references = {ref for figures in images.values() for ref in figures["build_from"]}
    compose_files = {name: file_hash(docker_dir / name) for name in STACK_COMPOSE_FILES}
    return {
        "measured": {
            "when": when.isoformat().replace("+00:00", "Z"),
            "where": where,
            "how": {
                "command": command,
                "tries": tries,
                "cold_build": COLD_BUILD,
                "warm_build": WARM_BUILD,
                "ready": "seconds of `docker compose up -d --wait` on a fresh project",
                "reload": "median seconds from saving a file until the new code answers",
            },
        },
        "base_images": base_images(references),
        "images": {image.name: images[image.name] for image in IMAGES},
        "stack": {key: value for key, value in stack.items() if not key.endswith("_samples")},
        "compose_files": compose_files,
        "samples": {key: value for key, value in stack.items() if key.endswith("_samples")},
        "swarm": swarm,
    }


def swarm_only(root: Path) -> int:
    """`--swarm`: measure the rolling update alone and replace only that section."""
    output = root / DATA_FILE
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory(prefix="papertrade-measure-") as temporary:
            copy = Path(temporary) / "docker"
            copy_checkout(root / "docker", copy)
            data["swarm"] = swarm_update.measure(
                copy, Progress(), "python -m papertrade_docs.measure --swarm")
        write_atomically(output, data)
    except (OSError, ValueError) as error:
        print(f"measure: {output}: {error}; run `make measure` first", file=sys.stderr)
        return 1
    except (DockerError, MeasurementsError) as error:
        print(f"measure: {error}", file=sys.stderr)
        return 1
    swarm = data["swarm"]
    print(f"  rolling update           {swarm['rolling_update_seconds']} s, "
          f"{swarm['update_requests']} requests, {swarm['update_failed_requests']} failed",
          file=sys.stderr)
    print(f"measure: wrote the swarm section of {DATA_FILE}", file=sys.stderr)
    return 0


def measure_stack(
    copy: Path, env_file: Path, prod_ports: dict[str, int], tries: int, progress: Progress
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    example = copy / ".env.example"
    if example.is_file():
        # What the quick start has a reader do first; the ports below override it.
        shutil.copyfile(example, copy / ".env")
    dev_ports = {name: stack_timing.free_port() for name in DEV_PORTS}
    dev = stack_timing.Stack(copy, "compose.yaml", dev_ports)
    with stack_timing.running(dev, progress, "dev stack") as ready:
        figures["dev_ready_seconds"] = round(ready, 1)
        backend = f"http://127.0.0.1:{dev_ports['BACKEND_PORT']}"
        frontend = f"http://127.0.0.1:{dev_ports['FRONTEND_PORT']}"
        reloads = stack_timing.backend_reload_samples(
            copy / "backend" / "src", backend, tries, progress
        )
        hmr = stack_timing.frontend_hmr_samples(copy / "frontend", frontend, tries, progress)
    figures["backend_reload_seconds"] = stack_timing.median(reloads)
    figures["frontend_hmr_seconds"] = stack_timing.median(hmr)
    figures["backend_reload_seconds_samples"] = [round(s, 3) for s in reloads]
    figures["frontend_hmr_seconds_samples"] = [round(s, 3) for s in hmr]
    prod = stack_timing.Stack(copy, "compose.prod.yaml", prod_ports, env_file=env_file)
    with stack_timing.running(prod, progress, "prod stack") as ready:
        figures["prod_ready_seconds"] = round(ready, 1)
        url = f"http://127.0.0.1:{prod_ports['HTTP_PORT']}/health"
        status, body = stack_timing.http_get(url)
        if status != 200:
            raise stack_timing.StackError(f"the production stack is up but {url} answered {status}")
    return figures


def copy_checkout(source: Path, destination: Path) -> None:
    """Copy what a fresh clone would hold: tracked files and untracked, unignored ones."""
    files = git_visible_files(source)
    if files is None:
        files = walk(source)
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target, follow_symlinks=False)
    # The copy is bind-mounted into containers that run as another user.
    destination.parent.chmod(0o755)


def write_production_env(copy: Path, ports: dict[str, int]) -> Path:
    example = copy / ".env.production.example"
    if not example.is_file():
        raise ComposeFileError(
            f"{example.name} is missing from docker/: the production stack needs it"
        )
    values = throwaway_env.with_fresh_secrets(
        throwaway_env.parse(example.read_text(encoding="utf-8")),
        {name: str(port) for name, port in ports.items()},
    )
    path = copy / ".env.production"
    throwaway_env.write(path, values)
    throwaway_env.write_secret_files(copy, "compose.prod.yaml")
    return path


if __name__ == "__main__":
    sys.exit(main())
