"""A docs run leaves the engine's swarm as it found it: a machine in no swarm is in none
after a page that initialised one; a user's own service and secret survive a page that
tries to remove them; a page's stack (services, secrets, networks) is gone after the
page, also when its runner was killed. Real engine, real swarm; unique names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from execdocs import sandbox, swarm_guard

pytestmark = [
    pytest.mark.container,
    # A page that initialises a swarm is refused while containers of other tests run.
    pytest.mark.alone("it initialises and leaves a swarm"),
]

BASE_IMAGE = "debian:trixie-slim"
START_TIMEOUT = 120


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def swarm_state() -> str:
    return docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()


def run_page(directory: Path, text: str, isolation: str) -> subprocess.CompletedProcess[str]:
    (directory / "page.md").write_text(text)
    env = {**os.environ, sandbox.SWITCH: isolation, "TMPDIR": str(directory)}
    return subprocess.run([sys.executable, "-m", "execdocs", "run", "page.md"], cwd=directory,
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(params=["on", "off"])
def isolation(request) -> str:
    if request.param == "on" and sandbox.unavailable() is not None:
        pytest.skip(f"pages cannot be isolated here: {sandbox.unavailable()}")
    return request.param


def gwbridge() -> str:
    """The id of the engine's docker_gwbridge network ("" for none): `swarm init` creates
    it when it is absent, and `swarm leave` keeps it."""
    listed = docker("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}").stdout
    return next((line.split()[0] for line in listed.splitlines()
                 if line.split()[1:] == ["docker_gwbridge"]), "")


@pytest.fixture
def a_swarm():
    """A swarm for the test (the engine's own when it is in one; else made and left here)."""
    made = swarm_state() == "inactive"
    had_gwbridge = gwbridge() != ""
    if made:
        docker("swarm", "init", "--advertise-addr", "127.0.0.1")
    yield
    if made and not docker("service", "ls", "-q").stdout.split():
        docker("swarm", "leave", "--force")
        if not had_gwbridge:  # the swarm made it: the engine had none
            swarm_guard.remove_created_gwbridge(
                lambda *args: docker(*args, check=False), created=True)


def stack_page(stack: str, tail: str = "") -> str:
    return f"""\
```yaml file="stack.yaml"
services:
  holder:
    image: {BASE_IMAGE}
    command: ["sleep", "infinity"]
    init: true
    secrets: [token]
    networks: [inner]
networks:
  inner:
    driver: overlay
secrets:
  token:
    file: ./token
```

```console
$ echo secret-value > token
$ docker stack deploy --detach=false --resolve-image never -c stack.yaml {stack} > /dev/null
$ docker service ls --format '{{{{.Name}}}}' --filter label=com.docker.stack.namespace={stack}
{stack}_holder
{tail}```
"""


def page_leftovers() -> list[str]:
    """The services, secrets and networks of `stack_page` stacks (isolated, a stack runs
    under an engine name of the page's own: only the suffixes are known)."""
    found = []
    for kind, suffix in (("service", "_holder"), ("secret", "_token"), ("network", "_inner")):
        listed = docker(kind, "ls", "--format", "{{.Name}}", check=False).stdout.split()
        found += [f"{kind} {name}" for name in listed if name.endswith(suffix)]
    return found


@pytest.mark.parametrize("who_leaves", ["the page", "the cleanup"])
def test_a_machine_in_no_swarm_is_left_in_no_swarm(tmp_path, isolation, who_leaves):
    """...and with the docker_gwbridge it had: none when it had none (the run removes the
    one its init created), the same one when it had one (left by anyone else's swarm)."""
    if swarm_state() != "inactive":
        pytest.skip("this engine is in a swarm: the test needs one that is not")
    before = gwbridge()
    stack = f"edswarm{uuid.uuid4().hex[:6]}"
    page = ("```console\n$ docker swarm init --advertise-addr 127.0.0.1 > /dev/null\n```\n\n"
            + stack_page(stack))
    if who_leaves == "the page":
        page += (f"\n```console\n$ docker stack rm {stack} > /dev/null\n"
                 "$ docker swarm leave --force\nNode left the swarm.\n```\n")
    done = run_page(tmp_path, page, isolation)
    assert done.returncode == 0, done.stdout + done.stderr
    assert swarm_state() == "inactive"
    assert gwbridge() == before


def test_no_swarm_is_initialised_beside_containers_the_run_did_not_start(tmp_path, isolation):
    """Leaving a swarm breaks name resolution in the containers running on the engine
    (moby/moby#45144): a user's running container stops the page's `swarm init`."""
    if swarm_state() != "inactive":
        pytest.skip("this engine is in a swarm: the test needs one that is not")
    bystander = f"edswarm-bystander-{uuid.uuid4().hex[:6]}"
    docker("run", "-d", "--init", "--name", bystander, BASE_IMAGE, "sleep", "infinity")
    try:
        page = "```console\n$ docker swarm init --advertise-addr 127.0.0.1 > /dev/null\n```\n"
        done = run_page(tmp_path, page, isolation)
        assert done.returncode == 1, done.stdout + done.stderr
        said = done.stdout + done.stderr
        assert "moby/moby#45144" in said and "containers this run did not start" in said
        assert swarm_state() == "inactive"
    finally:
        docker("rm", "-f", bystander, check=False)


def test_a_users_own_service_and_secret_survive_a_page(tmp_path, isolation, a_swarm):
    mine = f"edswarm-user-{uuid.uuid4().hex[:6]}"
    subprocess.run(["docker", "secret", "create", mine, "-"], input="user data\n", text=True,
                   capture_output=True, check=True)
    docker("service", "create", "--detach", "--name", mine, BASE_IMAGE, "sleep", "infinity")
    try:
        for command in (f"docker service rm {mine}", f"docker secret rm {mine}",
                        f"docker service scale {mine}=0", "docker swarm leave --force",
                        f"docker stack rm {mine}"):
            page = f"```console\n$ {command}\n```\n"
            done = run_page(tmp_path, page, isolation)
            assert done.returncode == 1, done.stdout
            assert "page.md:2: refused before it ran" in done.stdout, done.stdout
        assert docker("service", "inspect", mine, check=False).returncode == 0
        assert docker("secret", "inspect", mine, check=False).returncode == 0
        assert swarm_state() == "active"
    finally:
        docker("service", "rm", mine, check=False)
        docker("secret", "rm", mine, check=False)


def test_a_pages_stack_is_gone_after_the_page(tmp_path, isolation, a_swarm):
    stack = f"edswarm{uuid.uuid4().hex[:6]}"
    done = run_page(tmp_path, stack_page(stack, "$ false\n"), isolation)
    assert done.returncode == 1, done.stdout + done.stderr
    assert page_leftovers() == []


def test_the_next_run_removes_the_stack_of_a_killed_run(tmp_path, isolation, a_swarm):
    stack = f"edswarm{uuid.uuid4().hex[:6]}"
    marker = tmp_path / "reached"
    (tmp_path / "page.md").write_text(stack_page(stack, f"$ touch {marker} && sleep 600\n"))
    env = {**os.environ, sandbox.SWITCH: isolation, "TMPDIR": str(tmp_path)}
    killed = subprocess.Popen([sys.executable, "-m", "execdocs", "run", "page.md"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + START_TIMEOUT
    while not marker.exists():
        assert killed.poll() is None, killed.stdout.read()
        assert time.monotonic() < deadline, "the page did not reach its marker in time"
        time.sleep(0.2)
    killed.kill()  # SIGKILL: no cleanup at all
    killed.wait()
    assert page_leftovers()

    (tmp_path / "page.md").write_text("```console\n$ true\n```\n")
    done = subprocess.run([sys.executable, "-m", "execdocs", "run", "page.md"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout
    assert page_leftovers() == []
