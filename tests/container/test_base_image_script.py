"""The machine set-up scripts fail the way the README promises: one line saying what is
wrong and what to do, and nothing half-made left under the real tag."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

SETUP = Path(__file__).resolve().parents[2] / "docker" / "setup"


def test_a_failing_bootstrap_says_what_to_do_and_tags_nothing(tmp_path):
    tag = f"base-image-test:{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        ["bash", str(SETUP / "base-image.sh")],
        env={
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "BASE_IMAGE": tag,
            "BASE_IMAGE_FORCE": "1",
            # Nothing listens on the discard port: debootstrap fails at its first fetch.
            "DEBIAN_MIRROR": "http://127.0.0.1:9/debian",
        },
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("base-image: debootstrap of trixie from http://127.0.0.1:9/debian")
    assert "check that the mirror answers" in last
    assert subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 1
    leftovers = subprocess.run(
        ["docker", "image", "ls", "-q", "--filter", "reference=base-image-partial"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert leftovers == ""
    assert not list(Path("/var/tmp").glob("base-image.*/rootfs/usr"))



@pytest.mark.parametrize("image, suite", [
    ("base-image-test/debian:bookworm-slim", "bookworm"),  # a Debian tag names its suite
    ("base-image-test/other:latest", "trixie"),  # any other name: the project's release
])
def test_the_suite_is_the_debian_tag_s_and_a_failed_download_is_tried_again(image, suite):
    done = subprocess.run(
        ["bash", str(SETUP / "base-image.sh")],
        env={
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "BASE_IMAGE": image,
            "BASE_IMAGE_FORCE": "1",
            "DEBIAN_MIRROR": "http://127.0.0.1:9/debian",
        },
        capture_output=True, text=True, timeout=300,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1
    assert f"bootstrapping {image} from http://127.0.0.1:9/debian ({suite}, minbase)" in lines[0]
    assert any(line.endswith("trying once more") for line in lines), done.stderr
    assert lines[-1].startswith(f"base-image: debootstrap of {suite} from http://127.0.0.1:9/debian")
    inspected = subprocess.run(["docker", "image", "inspect", image], capture_output=True)
    assert inspected.returncode == 1
