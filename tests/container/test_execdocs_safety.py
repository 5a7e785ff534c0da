"""A docs run never touches what it did not create: a contributor's stack of the same
Compose project name, their containers, volumes and networks, another user's run, volumes
another process made while the page ran, and folders planted where runs keep theirs.
Real engine, real Compose projects; every test names its resources uniquely."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from execdocs import cleanup, sandbox
from execdocs.docker_engine import (
    HOST_LABEL,
    PROJECT_LABEL,
    RUN_LABEL,
    UID_LABEL,
    WORKING_DIR_LABEL,
    Engine,
)

pytestmark = pytest.mark.container

BASE_IMAGE = "debian:trixie-slim"
REAL_DOCKER = shutil.which("docker")


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REAL_DOCKER, *args], capture_output=True, text=True, check=check)


def exists(kind: str, name: str) -> bool:
    return docker(kind, "inspect", name, check=False).returncode == 0


def run_page(directory: Path, text: str, isolation: str = "on",
             ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    page = directory / "page.md"
    page.write_text(text)
    env = {**os.environ, sandbox.SWITCH: isolation}
    done = subprocess.run([sys.executable, "-m", "execdocs", "run", page.name],
                          cwd=directory, capture_output=True, text=True, timeout=600, env=env)
    return done, text.splitlines()


needs_isolation = pytest.mark.skipif(
    sandbox.unavailable() is not None,
    reason=f"pages cannot be isolated here: {sandbox.unavailable()}")


def compose_text(project: str, marker: str) -> str:
    return f"""\
name: {project}
services:
  holder:
    image: {BASE_IMAGE}
    command: ["sleep", "infinity"]
    init: true
    labels: [{marker}]
    volumes:
      - data:/data
volumes:
  data:
"""


@pytest.fixture(scope="module")
def contributors_stack(tmp_path_factory):
    """A contributor's own stack, started from their own folder, holding their data."""
    project = f"edsafe-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("contributor")
    (folder / "compose.yaml").write_text(compose_text(project, "contributor"))

    def compose(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([REAL_DOCKER, "compose", *args], cwd=folder, capture_output=True,
                              text=True, check=True)

    compose("up", "-d", "--wait", "--quiet-pull")
    compose("exec", "-T", "holder", "sh", "-c", "echo portfolio-42 > /data/row")
    container = compose("ps", "-q", "holder").stdout.strip()
    yield {"project": project, "folder": folder, "compose": compose, "container": container,
           "volume": f"{project}_data", "network": f"{project}_default"}
    compose("down", "-v")


def still_intact(stack: dict) -> None:
    """The contributor's container is the same one, running, and their row is there."""
    shown = docker("inspect", "-f", "{{.Id}} {{.State.Running}}", stack["container"]).stdout
    assert shown.split() == [stack["container"], "true"] or shown.startswith(stack["container"])
    row = stack["compose"]("exec", "-T", "holder", "cat", "/data/row").stdout
    assert row.strip() == "portfolio-42"


def refusal_line(done: subprocess.CompletedProcess[str], lines: list[str], command: str) -> str:
    """The report's line for the refused command; checks it names the page's line."""
    line = lines.index(command) + 1
    found = [row for row in done.stdout.splitlines() if f"page.md:{line}: refused" in row]
    assert found, done.stdout + done.stderr
    return found[0]


def same_name_page(project: str) -> str:
    return f"""\
```yaml file="compose.yaml"
{compose_text(project, "page")}```

```console
$ docker compose up -d --quiet-pull 2>/dev/null
$ docker compose exec -T holder sh -c 'echo page > /data/row'
$ docker compose ps --format '{{{{.Name}}}}'
{project}-holder-1
$ docker volume ls -q --filter name={project}_data
{project}_data
$ docker compose down -v 2>/dev/null
```
"""


@needs_isolation
def test_isolated_a_page_with_the_same_project_name_runs_beside_the_stack(
        tmp_path, contributors_stack):
    """The page sees its project under the reader's name; the engine holds it apart."""
    done, _ = run_page(tmp_path, same_name_page(contributors_stack["project"]))
    assert done.returncode == 0, done.stdout + done.stderr
    still_intact(contributors_stack)


def test_without_isolation_a_page_with_the_same_project_name_is_stopped_before_it_acts(
        tmp_path, contributors_stack):
    project = contributors_stack["project"]
    text = same_name_page(project)
    done, lines = run_page(tmp_path, text, isolation="off")
    assert done.returncode == 1, done.stdout + done.stderr
    line = refusal_line(done, lines, "$ docker compose up -d --quiet-pull 2>/dev/null")
    assert f"Compose project {project!r} is running from {contributors_stack['folder']}" in line
    assert f"docker compose -p {project} stop" in line
    still_intact(contributors_stack)


@pytest.mark.parametrize("command", [
    "$ docker rm -f {container}",
    "$ docker stop -t 1 {container}",
    "$ docker exec {container} rm /data/row",
    "$ docker volume rm {volume}",
    "$ docker network rm {network}",
    "$ docker -l error volume prune -f",
])
@pytest.mark.parametrize("isolation", ["on", "off"])
def test_a_page_never_acts_on_a_container_volume_or_network_it_did_not_create(
        tmp_path, contributors_stack, command, isolation):
    command = command.format(**contributors_stack)
    done, lines = run_page(tmp_path, f"```console\n{command}\n```\n", isolation)
    assert done.returncode == 1, done.stdout + done.stderr
    refusal_line(done, lines, command)
    still_intact(contributors_stack)
    assert exists("volume", contributors_stack["volume"])
    assert exists("network", contributors_stack["network"])


def test_a_stopped_stacks_volume_is_not_taken_over(tmp_path):
    """`down` without -v keeps a project's volume: the data of a stack that is not
    running. A page of the same project name must not reuse it, nor remove it."""
    project = f"edsafe-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "contributor"
    folder.mkdir()
    (folder / "compose.yaml").write_text(compose_text(project, "contributor"))
    subprocess.run([REAL_DOCKER, "compose", "up", "-d", "--quiet-pull"], cwd=folder,
                   check=True, capture_output=True)
    subprocess.run([REAL_DOCKER, "compose", "down"], cwd=folder, check=True,
                   capture_output=True)
    try:
        assert exists("volume", f"{project}_data")
        pages = tmp_path / "pages"
        pages.mkdir()
        done, lines = run_page(pages, same_name_page(project), isolation="off")
        assert done.returncode == 1, done.stdout + done.stderr
        line = refusal_line(done, lines, "$ docker compose up -d --quiet-pull 2>/dev/null")
        assert f"volume {project}_data" in line
        assert exists("volume", f"{project}_data")
    finally:
        subprocess.run([REAL_DOCKER, "compose", "down", "-v"], cwd=folder, capture_output=True)


def test_anonymous_volumes_made_by_others_while_a_page_ran_are_kept(tmp_path):
    """The page orphans its own anonymous volumes (removed); another process makes one at
    the same time, unnamed and unlabelled (kept). The page notes its container's volumes
    by name: pages and other tests make anonymous volumes beside this one (`make test`
    runs them at the same time), so what is new on the engine proves nothing."""
    project = f"edsafe-{uuid.uuid4().hex[:8]}"
    foreign_note, own_note = tmp_path / "foreign-volume", tmp_path / "own-volumes"
    own = ("docker inspect --format '{{range .Mounts}}{{.Name}} {{end}}' "
           f'"$(docker compose ps -q holder)" >> {own_note}')
    done, _ = run_page(tmp_path, f"""\
```yaml file="compose.yaml"
name: {project}
services:
  holder:
    image: {BASE_IMAGE}
    command: ["sleep", "infinity"]
    init: true
    volumes:
      - /cache
```

```console
$ docker compose up -d --quiet-pull 2>/dev/null
$ {own}
$ {REAL_DOCKER} volume create > {foreign_note}
$ docker compose up -d --renew-anon-volumes 2>/dev/null
$ {own}
$ docker compose down 2>/dev/null
```
""")
    foreign = foreign_note.read_text().strip()
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        owned = set(own_note.read_text().split())
        assert len(owned) == 2 and foreign not in owned  # one before the renewal, one after
        assert not [volume for volume in owned if exists("volume", volume)]
        assert exists("volume", foreign)
    finally:
        docker("volume", "rm", foreign, check=False)


def plant(base: Path, name: str, project: str, mode: int = 0o700, uid: int | None = None) -> Path:
    """A folder that looks like a killed run's: dead owner, a note naming `project`."""
    folder = base / name
    (folder / "pages" / "001").mkdir(parents=True)
    (folder / "owner").write_text(json.dumps(
        {"pid": 999_999_999, "start": 0, "host": socket.gethostname()}))
    (folder / "owned-projects").write_text(f"{project}\n")
    (folder / "pages" / "001" / "compose-projects").write_text(f"{project}\t{folder}/copy\n")
    folder.chmod(mode)
    if uid is not None:
        os.chown(folder, uid, uid)
    return folder


def test_the_sweep_of_killed_runs_ignores_folders_that_are_not_this_users_own(tmp_path):
    base = tmp_path / "runs"
    base.mkdir()
    victims = []
    for index, kind in enumerate(("open", "foreign", "link")):
        project = f"edsafe-{uuid.uuid4().hex[:8]}"
        volume = docker("volume", "create", "--label", f"{PROJECT_LABEL}={project}",
                        f"{project}_data").stdout.strip()
        victims.append(volume)
        if kind == "open":
            plant(base, f"execdocs-{index}-open", project, mode=0o755)
        elif kind == "foreign":
            plant(base, f"execdocs-{index}-foreign", project, uid=65534)
        else:
            target = plant(tmp_path, "elsewhere", project)
            (base / f"execdocs-{index}-link").symlink_to(target)
    try:
        cleanup.reap_dead_runs(Engine(), base)
        assert all(exists("volume", volume) for volume in victims)
    finally:
        for volume in victims:
            docker("volume", "rm", volume, check=False)


def test_the_sweep_removes_only_this_users_labelled_leftovers(tmp_path):
    base = tmp_path / "runs"
    base.mkdir()
    dead_run, host = "999999999-dead", socket.gethostname()
    volumes = {}
    for whose, uid in (("mine", os.getuid()), ("theirs", 65534)):
        volumes[whose] = docker(
            "volume", "create", "--label", f"{RUN_LABEL}={dead_run}",
            "--label", f"{HOST_LABEL}={host}", "--label", f"{UID_LABEL}={uid}",
            f"edsafe-{whose}-{uuid.uuid4().hex[:8]}").stdout.strip()
    try:
        cleanup.reap_dead_runs(Engine(), base)
        assert not exists("volume", volumes["mine"])
        assert exists("volume", volumes["theirs"])
    finally:
        for volume in volumes.values():
            docker("volume", "rm", volume, check=False)


def test_compose_containers_of_a_page_are_labelled_with_their_copy(tmp_path):
    """The guard relies on Compose's working-directory label: check it is what it reads."""
    project = f"edsafe-{uuid.uuid4().hex[:8]}"
    done, _ = run_page(tmp_path, f"""\
```yaml file="compose.yaml"
name: {project}
services:
  holder:
    image: {BASE_IMAGE}
    command: ["true"]
```

```console
$ docker compose up --quiet-pull 2>/dev/null
$ docker ps -a --filter label={PROJECT_LABEL}={project} \\
    --format '{{{{.Label "{WORKING_DIR_LABEL}"}}}}' | grep -c /pages/
1
```
""")
    assert done.returncode == 0, done.stdout + done.stderr
