"""The files that build the images work on every machine: no CPU architecture written
into a path (the images build on arm64 as on x86_64), and LF line endings for every
Dockerfile and every script that ends up in an image, kept so by `.gitattributes` in
every checkout (a Windows one included)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from papertrade_docs.lint.build_files import (
    architecture_findings,
    build_files,
    image_scripts,
    line_ending_findings,
)
from papertrade_docs.lint.cli import ROOT


def relative(paths: list[Path], root: Path = ROOT) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


# --- the repository -------------------------------------------------------------------------


def test_the_checks_see_every_dockerfile_entrypoint_and_compose_file():
    scripts = relative(image_scripts(ROOT))
    for expected in ("docker/backend/Dockerfile", "docker/frontend/Dockerfile",
                     "docker/db/docker-entrypoint.sh", "docker/cache/docker-entrypoint.sh",
                     "docker/cache/cache-healthcheck", "docker/frontend/image/copy-with-libs.sh"):
        assert expected in scripts
    assert {"docker/compose.yaml", "docker/compose.prod.yaml"} <= set(relative(build_files(ROOT)))
    assert not any("node_modules" in path for path in relative(build_files(ROOT)))


def test_no_file_that_builds_an_image_names_an_architecture_in_a_path():
    assert architecture_findings(ROOT) == []


def test_every_dockerfile_and_script_for_an_image_has_lf_line_endings():
    assert line_ending_findings(ROOT) == []


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and the repository's checkout")
def test_gitattributes_keeps_them_lf_in_every_checkout():
    paths = relative(image_scripts(ROOT))
    report = subprocess.run(["git", "check-attr", "text", "eol", "--", *paths], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    attributes: dict[str, dict[str, str]] = {}
    for line in report.splitlines():
        path, name, value = line.rsplit(": ", 2)
        attributes.setdefault(path, {})[name] = value
    not_lf = [path for path in paths if attributes[path] != {"text": "set", "eol": "lf"}]
    assert not_lf == [], f"{not_lf}: add a `text eol=lf` line for them to .gitattributes"


# --- the checks, on scratch files ---------------------------------------------------------------


def write(root: Path, name: str, data: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def test_an_architecture_in_a_path_or_a_platform_is_found_at_its_line(tmp_path):
    write(tmp_path, "docker/app/Dockerfile",
          "FROM debian:trixie-slim\n"
          "# libraries live in /usr/lib/x86_64-linux-gnu here: a comment may say so\n"
          "RUN ls /usr/lib/x86_64-linux-gnu/libnode.so.*\n"
          "RUN ls /usr/lib/*-linux-gnu/libnode.so.*\n"
          "RUN dpkg --add-architecture arm64\n")
    write(tmp_path, "docker/compose.yaml",
          "services:\n  app:\n    platform: linux/amd64\n    image: arm64-tools\n")
    write(tmp_path, "docker/app/run.sh", "#!/bin/sh\nexec /opt/aarch64/bin/app\n")
    write(tmp_path, "docker/setup/emulate.sh", "#!/bin/sh\nls /usr/bin/qemu-aarch64-static\n")
    found = architecture_findings(tmp_path)
    assert [line.split(": ", 1)[0] for line in found] == [
        "docker/app/Dockerfile:3", "docker/app/Dockerfile:5", "docker/app/run.sh:2",
        "docker/compose.yaml:3"]
    assert "`/usr/lib/x86_64-linux-gnu/libnode.so.*` names the CPU architecture x86_64" in found[0]
    assert "derive it" in found[0]


def test_a_crlf_script_or_entrypoint_is_found_and_other_files_are_not_looked_at(tmp_path):
    write(tmp_path, "docker/db/docker-entrypoint.sh", b"#!/bin/sh\nset -eu\r\nexec \"$@\"\n")
    write(tmp_path, "docker/cache/healthcheck", b"#!/bin/sh\r\nexit 0\r\n")
    write(tmp_path, "docker/app/Dockerfile", b"FROM scratch\r\n")
    write(tmp_path, "docker/app/tool.sh", b"echo fine\n")
    write(tmp_path, "docker/app/notes.txt", b"not a script\r\n")
    write(tmp_path, "docker/frontend/node_modules/x/run.sh", b"#!/bin/sh\r\n")
    found = line_ending_findings(tmp_path)
    assert [line.split(": ", 1)[0] for line in found] == [
        "docker/app/Dockerfile:1", "docker/cache/healthcheck:1",
        "docker/db/docker-entrypoint.sh:2"]
    assert "must be LF" in found[0]
