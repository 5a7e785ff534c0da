"""The quick start, run beside a contributor's own development stack of the same Compose
project name (`papertrade`, started from another clone, with a portfolio in its
database, on the same ports). Isolated, the page passes as the reader sees it; with
isolation switched off, the run stops at the command that would take the stack over and
says what collides. Either way the contributor's stack still serves their portfolio.
The Scaling out page, which needs the engine to itself, is skipped beside it, saying why,
and leaves the engine's swarm state and networks as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid

import pytest
from stack_support import (
    ROOT,
    docker,
    extra_ca_bundle,
    image_override,
    own_image_names,
    request,
    stack_variables,
)

from execdocs import sandbox
from papertrade_docs.measure.cli import copy_checkout
from papertrade_docs.measure.docker_cli import compose_env

pytestmark = pytest.mark.container

PROJECT = "papertrade"  # the name the quick start uses, as every reader's clone does
QUICKSTART = ROOT / "docs" / "docker" / "quickstart.md"
SCALING_OUT = "docs/docker/scaling-out.md"  # from ROOT, as the run prints it


def project_exists() -> bool:
    """A Compose project of that name: containers Compose started (a plain `docker run`
    of an image Compose built carries the project's label too, not its folder's), or
    its volumes or networks."""
    started = docker("ps", "-a", "--filter", f"label=com.docker.compose.project={PROJECT}",
                     "--format", '{{.Label "com.docker.compose.project.working_dir"}}')
    if started.strip():
        return True
    return any(docker(kind, "ls", "-q", "--filter",
                      f"label=com.docker.compose.project={PROJECT}").strip()
               for kind in ("volume", "network"))


@pytest.fixture(scope="module")
def contributors_stack(tmp_path_factory):
    """One stack for both tests: each checks it is untouched after its own run."""
    if project_exists():
        pytest.skip(f"a Compose project named {PROJECT!r} already exists on this engine; "
                    "this test plays a contributor's stack of that name")
    clone = tmp_path_factory.mktemp("contributor") / "papertrade"
    copy_checkout(ROOT, clone)
    folder = clone / "docker"
    (folder / ".env").write_text((folder / ".env.example").read_text())
    env = compose_env({key: value for key, value in os.environ.items()
                       if key not in stack_variables()}, EXTRA_CA_BUNDLE=extra_ca_bundle())

    def compose(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", "compose", *args], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=900)

    # The contributor's images under names of the test's own (removed afterwards), so the
    # test never retags the `papertrade/...` images a reader of this test may have built.
    config = json.loads(compose("config", "--format", "json").stdout)
    images = own_image_names(config, f"contributor-{uuid.uuid4().hex[:10]}")
    (folder / "compose.override.yaml").write_text(image_override(images))

    started = compose("up", "-d", "--wait")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"folder": folder, "compose": compose}
    finally:
        compose("down", "-v")
        docker_quietly("image", "rm", *images.values())


def docker_quietly(*args: str) -> None:
    subprocess.run(["docker", *args], capture_output=True, check=False)


def run_quickstart(contributors_stack, isolation: str) -> subprocess.CompletedProcess[str]:
    return run_beside(contributors_stack, str(QUICKSTART), isolation)


def run_beside(contributors_stack, page: str,
               isolation: str = "on") -> subprocess.CompletedProcess[str]:
    """Run `page` once the contributor has a portfolio, noting their containers."""
    status, created = request("http://127.0.0.1:8000/api/portfolios",
                              {"name": "contributor's own", "cash": "1000.00"})
    assert status == 201, created
    contributors_stack["portfolio"] = created
    contributors_stack["containers"] = docker(
        "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}")
    # The page's Task tabs need `task`, which `make setup` installs beside this Python.
    path = f"{os.environ.get('PATH', '')}:{os.path.dirname(sys.executable)}"
    env = {**os.environ, "EXECDOCS_ISOLATION": isolation, "PATH": path}
    # A temporary folder of its own, and with it an engine lock of its own: this session
    # holds the shared one (conftest), which the Scaling out page, alone, would wait for.
    # It is not needed: beside the contributor's running stack that page is skipped.
    with tempfile.TemporaryDirectory(prefix="beside-a-stack-") as own_tmp:
        return subprocess.run([sys.executable, "-m", "execdocs", "run", page], cwd=ROOT,
                              capture_output=True, text=True, timeout=1800,
                              env={**env, "TMPDIR": own_tmp})


def assert_untouched(contributors_stack) -> None:
    """Nothing of the contributor's was replaced, and their portfolio is still served."""
    now = docker("ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}")
    assert now == contributors_stack["containers"], docker(
        "ps", "-a", "--filter", f"label=com.docker.compose.project={PROJECT}", "--format",
        '{{.ID}} {{.Names}} {{.Image}} {{.Label "com.docker.compose.project.working_dir"}}')
    status, listed = request("http://127.0.0.1:8000/api/portfolios")
    assert status == 200 and contributors_stack["portfolio"] in listed


@pytest.mark.skipif(sandbox.unavailable() is not None,
                    reason=f"pages cannot be isolated here: {sandbox.unavailable()}")
def test_the_quick_start_passes_isolated_beside_a_stack_of_the_same_name(contributors_stack):
    done = run_quickstart(contributors_stack, "on")
    assert done.returncode == 0, done.stdout + done.stderr
    assert_untouched(contributors_stack)


def test_without_isolation_the_quick_start_stops_before_taking_over_the_stack(
        contributors_stack):
    done = run_quickstart(contributors_stack, "off")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line.strip() for line in QUICKSTART.read_text().splitlines()]
    up_line = lines.index("$ docker compose up -d --wait") + 1
    refusal = [line for line in done.stdout.splitlines()
               if f"quickstart.md:{up_line}: refused" in line]
    assert refusal, done.stdout
    assert f"Compose project '{PROJECT}' is running from {contributors_stack['folder']}" in (
        refusal[0])
    assert_untouched(contributors_stack)


def test_the_scaling_out_page_is_skipped_beside_a_stack_and_leaves_the_engine_as_it_was(
        contributors_stack):
    """Leaving a swarm breaks name resolution in the containers running on the engine
    (moby/moby#45144): beside the contributor's stack the page makes no swarm, says why
    it is skipped, and the run passes."""
    swarm = docker("info", "--format", "{{.Swarm.LocalNodeState}}")
    networks = swarm_networks()
    done = run_beside(contributors_stack, SCALING_OUT)
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines()
               if line.startswith(f"SKIPPED {SCALING_OUT}: it needs the engine to itself")]
    assert skipped and "moby/moby#45144" in skipped[0], done.stdout
    assert "containers this run did not start are running" in skipped[0]
    assert docker("info", "--format", "{{.Swarm.LocalNodeState}}") == swarm
    assert swarm_networks() == networks
    assert_untouched(contributors_stack)


def swarm_networks() -> list[str]:
    """The networks a swarm brings (its overlays, `ingress` among them, and the bridge
    `docker_gwbridge`); not every network: pages and other tests run beside this one."""
    return sorted(docker("network", "ls", "-q", "--no-trunc", "--filter", "driver=overlay")
                  .split() + docker("network", "ls", "-q", "--no-trunc", "--filter",
                                    "name=docker_gwbridge").split())
