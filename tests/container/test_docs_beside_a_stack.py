"""The quick start, run beside a contributor's own development stack of the same Compose
project name (`papertrade`, started from another clone, with a portfolio in its
database): the run stops at the command that would take the stack over, says what
collides, and the contributor's stack still serves their portfolio."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from stack_support import ROOT, docker, extra_ca_bundle, request, stack_variables

from papertrade_docs.measure.cli import copy_checkout

pytestmark = pytest.mark.container

PROJECT = "papertrade"  # the name the quick start uses, as every reader's clone does
QUICKSTART = ROOT / "docs" / "docker" / "quickstart.md"


def project_exists() -> bool:
    for kind in ("ps -a", "volume ls", "network ls"):
        listed = docker(*kind.split(), "-q", "--filter",
                        f"label=com.docker.compose.project={PROJECT}")
        if listed.strip():
            return True
    return False


@pytest.fixture
def contributors_stack(tmp_path):
    if project_exists():
        pytest.skip(f"a Compose project named {PROJECT!r} already exists on this engine; "
                    "this test plays a contributor's stack of that name")
    clone = tmp_path / "contributor" / "papertrade"
    copy_checkout(ROOT, clone)
    folder = clone / "docker"
    (folder / ".env").write_text((folder / ".env.example").read_text())
    env = {key: value for key, value in os.environ.items()
           if key not in stack_variables()}
    env.update(COMPOSE_BAKE="false", DOCKER_BUILDKIT="1", EXTRA_CA_BUNDLE=extra_ca_bundle())

    def compose(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", "compose", *args], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=900)

    started = compose("up", "-d", "--wait")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"folder": folder, "compose": compose}
    finally:
        compose("down", "-v")


def test_the_quick_start_stops_before_taking_over_a_stack_of_the_same_name(
        contributors_stack):
    status, created = request("http://127.0.0.1:8000/api/portfolios",
                              {"name": "contributor's own", "cash": "1000.00"})
    assert status == 201, created
    containers = docker("ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}")

    done = subprocess.run([sys.executable, "-m", "execdocs", "run", str(QUICKSTART)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)

    assert done.returncode == 1, done.stdout + done.stderr
    up_line = QUICKSTART.read_text().splitlines().index("$ docker compose up -d --wait") + 1
    refusal = [line for line in done.stdout.splitlines()
               if f"quickstart.md:{up_line}: refused" in line]
    assert refusal, done.stdout
    assert f"Compose project '{PROJECT}' is running from {contributors_stack['folder']}" in (
        refusal[0])
    # Nothing of the contributor's was replaced, and their portfolio is still served.
    assert docker("ps", "-q", "--filter",
                  f"label=com.docker.compose.project={PROJECT}") == containers
    status, listed = request("http://127.0.0.1:8000/api/portfolios")
    assert status == 200 and created in listed
