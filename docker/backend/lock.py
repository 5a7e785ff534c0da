"""Refresh the backend's hash locks, the only files the Dockerfile installs Python
packages from. Run it after changing the dependencies in pyproject.toml (or
requirements-dev.in, requirements-build.in):

    python3 docker/backend/lock.py                            # keep every pin that still fits
    python3 docker/backend/lock.py --upgrade-package fastapi  # options go on to uv pip compile

It needs uv on PATH (`pip install uv`, ideally the version requirements-build.in pins) and
the package index. For each lock it runs `uv pip compile --generate-hashes` (the command
stands in the lock's header), then writes above it the sha256 of the inputs, which
tests/unit/test_backend_lock.py compares without the network:

- requirements.txt: the production image's tree, from pyproject.toml's dependencies.
- requirements-dev.txt: the development image's tree: the same pins (requirements.txt is
  its constraint), pyproject.toml's `dev` extra, and requirements-dev.in (debugpy).
- requirements-build.txt: what the build stage installs first, with pip: uv itself
  (requirements-build.in) and the build backend of pyproject.toml's [build-system].

Every lock is universal (one file for every CPU architecture and platform, with the hashes
of every wheel) and wheels only, as the images install them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFRESH = "python3 docker/backend/lock.py"
# Debian trixie's Python, which every image runs.
COMPILE = [
    "--generate-hashes", "--universal", "--python-version", "3.13",
    "--only-binary", ":all:", "--quiet",
]
# Each lock and what `uv pip compile` makes it from; "-" reads [build-system] requires.
LOCKS = {
    "requirements.txt": ["pyproject.toml"],
    "requirements-dev.txt": [
        "pyproject.toml", "--extra", "dev", "requirements-dev.in",
        "--constraint", "requirements.txt",
    ],
    "requirements-build.txt": ["requirements-build.in", "-"],
}
DIGEST_PREFIX = "# inputs sha256: "


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def inputs(folder: Path = HERE) -> dict:
    """What the locks are made from: the dependency declarations, not their formatting."""
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text("utf-8"))
    project = pyproject.get("project", {})
    return {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system": pyproject.get("build-system", {}).get("requires", []),
        "requirements-dev.in": _requirement_lines(folder / "requirements-dev.in"),
        "requirements-build.in": _requirement_lines(folder / "requirements-build.in"),
        "compile": {"common": COMPILE, "locks": LOCKS},
    }


def digest(folder: Path = HERE) -> str:
    text = json.dumps(inputs(folder), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    """The digest written in the lock's header, or None."""
    for line in lock.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def header(name: str, sha256: str) -> str:
    return (
        f"# {name}: locked with hashes for the backend's images; do not edit by hand.\n"
        f"# Refresh every lock with `{REFRESH}` after changing pyproject.toml or a .in file.\n"
        f"{DIGEST_PREFIX}{sha256}\n"
    )


def main(argv: list[str]) -> int:
    uv = os.environ.get("UV", "uv")
    if shutil.which(uv) is None:
        print(f"lock.py: no `{uv}`: install uv (`pip install uv`) or set UV", file=sys.stderr)
        return 2
    pinned = next(
        (line for line in _requirement_lines(HERE / "requirements-build.in")
         if line.startswith("uv==")), None,
    )
    version = subprocess.run([uv, "--version"], capture_output=True, text=True).stdout.split()
    if pinned and version[1:2] != [pinned.removeprefix("uv==")]:
        print(f"lock.py: note: {' '.join(version)} here, the images use {pinned}", file=sys.stderr)
    build_requires = "\n".join(inputs()["build-system"]) + "\n"
    sha256 = digest()
    for name, sources in LOCKS.items():
        command = [uv, "pip", "compile", *sources, *COMPILE, *argv, "--output-file", name]
        print("+", *command, file=sys.stderr)
        done = subprocess.run(
            command, cwd=HERE, input=build_requires if "-" in sources else None, text=True
        )
        if done.returncode:
            return done.returncode
        lock = HERE / name
        lock.write_text(header(name, sha256) + lock.read_text("utf-8"), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
