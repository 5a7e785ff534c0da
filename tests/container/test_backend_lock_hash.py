"""A tampered hash in the backend's lock stops the build, with uv's own message: the
development target is built from a copy of docker/backend whose requirements-dev.txt has
one package's recorded hash changed, as if the file on the index had been replaced. The
image is built under a throwaway tag and never lands; the shared images are untouched."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from stack_support import ROOT, Project, extra_ca_bundle

pytestmark = pytest.mark.container

BACKEND = ROOT / "docker" / "backend"
BUILD_TIMEOUT_SECONDS = 900
ENTRY = re.compile(r"^(?P<pin>[A-Za-z0-9._-]+==[^ ;\\]+)(?P<rest>(?:[^\n]*\\\n)*[^\n]*)$", re.M)
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def tamper(lock: Path) -> tuple[str, list[str]]:
    """Change the recorded hashes of the lock's package with the fewest (one, where a
    package has only a wheel), everywhere it pins one; its pin and the changed hashes."""
    text = lock.read_text(encoding="utf-8")
    entries = [
        match for match in ENTRY.finditer(text)
        if ";" not in match["rest"].split("--hash", 1)[0]  # installed on every platform
    ]
    victim = min(entries, key=lambda match: len(HASH.findall(match["rest"])))
    changed = []

    def flip(found: re.Match[str]) -> str:
        digest = found[1]
        new = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        changed.append(new)
        return f"--hash=sha256:{new}"

    rest = HASH.sub(flip, victim["rest"])
    lock.write_text(text[: victim.start("rest")] + rest + text[victim.end("rest"):], "utf-8")
    return victim["pin"], changed


@pytest.fixture
def tampered_context(tmp_path: Path) -> tuple[Path, str, list[str]]:
    context = tmp_path / "backend"
    shutil.copytree(BACKEND, context, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pin, changed = tamper(context / "requirements-dev.txt")
    return context, pin, changed


def test_tamper_changes_only_the_chosen_packages_hashes(tmp_path):
    lock = tmp_path / "requirements-dev.txt"
    shutil.copy2(BACKEND / "requirements-dev.txt", lock)
    before = lock.read_text(encoding="utf-8").splitlines()
    pin, changed = tamper(lock)
    after = lock.read_text(encoding="utf-8").splitlines()
    differing = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed and len(differing) == len(changed)
    assert all(new.split("sha256:")[1].startswith(tuple(changed)) for _, new in differing)
    assert pin.split("==")[0] in "\n".join(before)


def test_a_tampered_hash_fails_the_build_with_uvs_hash_mismatch(tampered_context, tmp_path):
    context, pin, changed = tampered_context
    tag = f"papertrade-uvtest-{uuid.uuid4().hex[:10]}:tampered"
    (tmp_path / "compose.yaml").write_text(
        f"services:\n"
        f"  backend:\n"
        f"    image: {tag}\n"
        f"    build: {{context: {context}, target: dev, secrets: [extra_ca]}}\n"
        f"secrets:\n"
        f"  extra_ca:\n"
        f"    file: ${{EXTRA_CA_BUNDLE:-/dev/null}}\n",
        encoding="utf-8",
    )
    project = Project(tmp_path, "compose.yaml", variables={"EXTRA_CA_BUNDLE": extra_ca_bundle()})
    try:
        result = subprocess.run(
            project.command("--progress=plain", "build", "backend"),
            cwd=tmp_path,
            env=project.environment(),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"the build passed with a tampered hash for {pin}"
        assert f"Hash mismatch for `{pin}`" in output, output[-4000:]
        assert any(f"sha256:{digest}" in output for digest in changed), output[-4000:]
        image = subprocess.run(
            ["docker", "image", "inspect", tag], capture_output=True, check=False
        )
        assert image.returncode != 0, f"{tag} exists although its build failed"
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)
