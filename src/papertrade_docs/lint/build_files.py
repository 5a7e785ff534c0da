"""The files that build the images work on every machine (`make lint`'s `portability`
step, with `portability`).

- **No CPU architecture in a path** of a Dockerfile, a script, a Compose or
  configuration file, nor in a Dockerfile's commands: `/usr/lib/x86_64-linux-gnu/...` or
  `linux/amd64` builds on one kind of machine only; derive it (a glob,
  `dpkg --print-architecture`, BuildKit's TARGETARCH). Comments may name architectures.
- **LF line endings** for every Dockerfile and every script that ends up in an image
  (and the setup scripts beside them): a CR breaks the shebang (`bad interpreter`) and
  every line of a shell script. `.gitattributes` keeps them LF in every checkout.

Each finding is `file:line: what; how to fix it`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SKIPPED_DIRS = {"node_modules", ".venv", "site", "build", "dist", ".git"}
IMAGE_SOURCE_DIRS = ("docker", "snippets", "labs")
ARCHITECTURES = ("x86_64", "x86-64", "aarch64", "amd64", "arm64")
_ARCHITECTURE = re.compile("|".join(re.escape(name) for name in ARCHITECTURES))
# A path-like word: anything between spaces, quotes and shell or YAML punctuation.
_WORD = re.compile(r"[^\s'\"=,;()\[\]{}<>|&]+")


def _walk(root: Path) -> list[Path]:
    """The files under docker/, snippets/ and labs/; installed packages and builds left out."""
    files = []
    for folder in IMAGE_SOURCE_DIRS:
        for top, dirs, names in os.walk(root / folder):
            dirs[:] = sorted(name for name in dirs if name not in SKIPPED_DIRS)
            files += [Path(top, name) for name in sorted(names)]
    return sorted(path for path in files if path.is_file())


def _has_shebang(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(2) == b"#!"


def is_dockerfile(path: Path) -> bool:
    return (
        path.name == "Dockerfile"
        or path.name.startswith("Dockerfile.")
        or path.suffix == ".Dockerfile"
    )


def is_script(path: Path) -> bool:
    """A shell script or any file with a shebang, or an entrypoint."""
    return path.suffix == ".sh" or "entrypoint" in path.name or _has_shebang(path)


def is_configuration(path: Path) -> bool:
    """Compose files (and other YAML), `.env` files, configuration files."""
    return path.suffix in (".yaml", ".yml", ".conf") or path.name.startswith(".env")


def image_scripts(root: Path) -> list[Path]:
    """Dockerfiles and the scripts that end up in images (and the setup scripts beside
    them): the files that must keep LF line endings."""
    return [path for path in _walk(root) if is_dockerfile(path) or is_script(path)]


# Scripts that provision the host (engine, Compose plugin, base image) build no image
# layer, and may name the architecture they bootstrap or emulate (arm64 under QEMU).
HOST_SETUP_DIR = Path("docker", "setup")


def build_files(root: Path) -> list[Path]:
    """Dockerfiles, scripts, Compose and other configuration files that make the images:
    where no CPU architecture may be written."""
    return [
        path
        for path in _walk(root)
        if (is_dockerfile(path) or is_script(path) or is_configuration(path))
        and not path.relative_to(root).is_relative_to(HOST_SETUP_DIR)
    ]


def architecture_findings(root: Path) -> list[str]:
    """`file:line: ...` for each path (a word with a `/`, or a `-linux-gnu` triplet) that
    names a CPU architecture, and in a Dockerfile for each word of a command that does."""
    findings = []
    for path in build_files(root):
        dockerfile = is_dockerfile(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#") and not line.startswith("#!"):
                continue  # a comment may name architectures; paths and commands may not
            for word in _WORD.findall(line):
                found = _ARCHITECTURE.search(word)
                if found and (dockerfile or "/" in word or "-linux-" in word):
                    findings.append(
                        f"{path.relative_to(root)}:{number}: `{word}` names the CPU"
                        f" architecture {found[0]}; derive it (a glob such as"
                        " /usr/lib/*-linux-gnu/, `dpkg --print-architecture`, or BuildKit's"
                        " TARGETARCH) so the file builds on every architecture"
                    )
    return findings


def line_ending_findings(root: Path) -> list[str]:
    """`file:line: ...` for each CR in a Dockerfile or a script that goes into an image."""
    findings = []
    for path in image_scripts(root):
        for number, line in enumerate(path.read_bytes().split(b"\n"), 1):
            if b"\r" in line:
                findings.append(
                    f"{path.relative_to(root)}:{number}: a carriage return (a CRLF line"
                    " end); Dockerfiles and scripts that go into images must be LF (see"
                    " .gitattributes): convert it with `dos2unix` or your editor's LF setting"
                )
                break  # one line per file says it
    return findings
