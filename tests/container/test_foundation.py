"""The machine's set-up works: the base image is Debian 13, and Compose v2 brings a
project up healthy and tears it down leaving nothing behind."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

BASE_IMAGE = "debian:trixie-slim"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)


def test_base_image_reports_debian_13():
    output = run("docker", "run", "--rm", BASE_IMAGE, "cat", "/etc/os-release").stdout
    assert 'VERSION_ID="13"' in output
    assert "trixie" in output


def test_base_image_is_small_and_labelled():
    info = json.loads(run("docker", "image", "inspect", BASE_IMAGE).stdout)[0]
    assert info["Size"] <= 80_000_000, f"{BASE_IMAGE} is {info['Size']} bytes, over 80 MB"
    labels = info["Config"].get("Labels") or {}
    # A pulled official image has no provenance label; a bootstrapped one must say how.
    if "org.papertrade.base.builder" in labels:
        assert "debootstrap" in labels["org.papertrade.base.provenance"]


COMPOSE = """
services:
  first:
    image: debian:trixie-slim
    command: ["sleep", "infinity"]
    init: true
    healthcheck:
      test: ["CMD", "test", "-f", "/etc/debian_version"]
      interval: 1s
      retries: 30
    volumes: [data:/data]
  second:
    image: debian:trixie-slim
    command: ["sleep", "infinity"]
    init: true
    depends_on:
      first: {condition: service_healthy}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      retries: 30
volumes:
  data:
"""


def resources(project: str) -> list[str]:
    label = f"label=com.docker.compose.project={project}"
    found = []
    for kind in ("container", "network", "volume"):
        listing = ["docker", kind, "ls", "-q", "--filter", label]
        if kind == "container":
            listing.insert(3, "-a")
        found += run(*listing).stdout.split()
    return found


def test_two_service_project_comes_up_healthy_and_leaves_nothing(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    project = f"foundation-{uuid.uuid4().hex[:8]}"
    compose = ("docker", "compose", "-p", project)
    try:
        run(*compose, "up", "-d", "--wait", "--wait-timeout", "60", cwd=tmp_path)
        states = [
            json.loads(line)
            for line in run(*compose, "ps", "--format", "json", cwd=tmp_path).stdout.splitlines()
        ]
        assert sorted(s["Service"] for s in states) == ["first", "second"]
        assert all(s["Health"] == "healthy" for s in states), states
    finally:
        run(*compose, "down", "-v", "--remove-orphans", cwd=tmp_path)
    assert resources(project) == []
