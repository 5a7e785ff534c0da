"""`make measure`: build every image, time the stack, write docs/data/measurements.json.

    python -m papertrade_docs.measure [--tries 5] [--use-build-cache]

Builds run without the build cache by default, so build_seconds is a full build.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from papertrade_docs import figures
from papertrade_docs.images import IMAGES, STACK_COMPOSE_FILES
from papertrade_docs.measure import stack_timing, throwaway_env
from papertrade_docs.measure.build_images import base_images, build_and_inspect
from papertrade_docs.measure.compose_builds import ComposeFileError, image_builds
from papertrade_docs.measure.context_hash import file_hash, git_visible_files, walk
from papertrade_docs.measure.docker_cli import DockerError, engine_facts
from papertrade_docs.measure.dockerfile import DockerfileError
from papertrade_docs.measure.progress import Progress
from papertrade_docs.measurements import DATA_FILE, MeasurementsError, write_atomically

DEV_PORTS = ("BACKEND_PORT", "FRONTEND_PORT", "POSTGRES_PORT", "REDIS_PORT")
PROD_PORTS = ("HTTP_PORT",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papertrade_docs.measure", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository")
    parser.add_argument("--tries", type=int, default=5, help="edits timed per reload figure")
    parser.add_argument(
        "--use-build-cache", action="store_true", help="reuse cached layers (faster, not cold)"
    )
    args = parser.parse_args(argv)
    if args.tries < 1:
        parser.error("--tries must be at least 1")
    command = "make measure" + (" MEASURE_ARGS=--use-build-cache" if args.use_build_cache else "")
    try:
        data = measure(args.root.resolve(), args.tries, args.use_build_cache, command)
        output = args.root / DATA_FILE
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


def summary(data: dict[str, Any]) -> str:
    """The figures as a short table, with each image against its budget."""
    lines = []
    for image in IMAGES:
        figures_ = data["images"][image.name]
        verdict = "within" if figures_["size_bytes"] < image.budget_bytes else "OVER"
        lines.append(
            f"  {image.name:<14} {figures.megabytes(figures_['size_bytes']):>7}  "
            f"{figures_['layers']:>2} layers  built in {figures_['build_seconds']:>6.1f} s  "
            f"{verdict} budget ({figures.megabytes(image.budget_bytes)})"
        )
    for key, value in data["stack"].items():
        lines.append(f"  {key:<24} {figures.seconds(value)}")
    return "\n".join(lines)


def measure(root: Path, tries: int, use_cache: bool, command: str) -> dict[str, Any]:
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
                build, copied, progress, env_file if prod else None, use_cache, root
            )
        stack = measure_stack(copy, env_file, prod_ports, tries, progress)
    references = {ref for figures in images.values() for ref in figures["build_from"]}
    compose_files = {name: file_hash(docker_dir / name) for name in STACK_COMPOSE_FILES}
    return {
        "measured": {
            "when": when.isoformat().replace("+00:00", "Z"),
            "where": where,
            "how": {
                "command": command,
                "tries": tries,
                "build_cache": "used" if use_cache else "not used (full builds)",
                "ready": "seconds of `docker compose up -d --wait` on a fresh project",
                "reload": "median seconds from saving a file until the new code answers",
            },
        },
        "base_images": base_images(references),
        "images": {image.name: images[image.name] for image in IMAGES},
        "stack": {key: value for key, value in stack.items() if not key.endswith("_samples")},
        "compose_files": compose_files,
        "samples": {key: value for key, value in stack.items() if key.endswith("_samples")},
    }


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
    return path


if __name__ == "__main__":
    sys.exit(main())
