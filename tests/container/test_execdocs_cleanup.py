"""execdocs leaves the engine as it found it: after a failing page, after Ctrl-C in the
middle of a page, after its background blocks, and after a run killed with SIGKILL (the
next run removes what it left). Real containers, a real Compose project, real volumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from stack_support import one_file_image

from execdocs import processes, sandbox
from execdocs.cleanup import _remove_page_images
from execdocs.docker_engine import PROJECT_LABEL, Engine

pytestmark = [
    pytest.mark.container,
    # What appears on the engine while a test runs is taken for its leftovers, unless it
    # is plainly someone else's: an anonymous volume of another test's container is not.
    pytest.mark.alone("it counts what appeared on the engine while its page ran"),
]

BASE_IMAGE = "debian:trixie-slim"
START_TIMEOUT = 120  # seconds for a page to reach the point where the test interrupts it


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout


def engine_entries() -> set[str]:
    """Every container, network and volume on the engine, as `kind name`."""
    found = set()
    for lister, field in ((["ps", "-a"], "Names"), (["network", "ls"], "Name"),
                          (["volume", "ls"], "Name")):
        found |= {f"{lister[0]} {line}" for line in
                  docker(*lister, "--format", f"{{{{.{field}}}}}").split()}
    return found


_before: set[str] = set()  # the engine before the test (see the `name` fixture)
_runs: Path = Path("/nonexistent")  # where the test's runs keep their copies (TMPDIR)


def foreign_entries() -> set[str]:
    """What someone else runs on the engine meanwhile (another stack, another docs run):
    containers neither started by a Compose project inside this test's runs nor labelled
    by a run's guard, and the networks and volumes of those containers' projects."""
    listed = docker("ps", "-a", "--format",
                    '{{.Names}}\t{{.Label "com.docker.compose.project"}}\t'
                    '{{.Label "com.docker.compose.project.working_dir"}}\t'
                    '{{.Label "io.execdocs.run"}}')
    foreign, projects = set(), set()
    for line in listed.splitlines():
        container, project, directory, run = (line.split("\t") + ["", "", ""])[:4]
        ours = directory.startswith(f"{_runs}/") or (not directory and run)
        if not ours:
            foreign.add(f"ps {container}")
            if project:
                projects.add(project)
    for kind in ("network", "volume"):
        for line in docker(kind, "ls", "--format",
                           '{{.Name}}\t{{.Label "com.docker.compose.project"}}').splitlines():
            item, _, project = line.partition("\t")
            if project in projects:
                foreign.add(f"{kind} {item}")
    return foreign


def leftovers(name: str) -> list[str]:
    """Every container, network and volume whose name starts with `name` (a test's unique
    prefix), or that appeared since the test began and is not someone else's: an isolated
    page runs its projects under names of its own, which the prefix would miss."""
    new = {entry for entry in engine_entries()
           if entry.split(" ", 1)[1].startswith(name) or entry not in _before}
    return sorted(entry for entry in new
                  if entry.split(" ", 1)[1].startswith(name) or entry not in foreign_entries())


def gone(pid: int) -> bool:
    """Stopped: no such process, or a zombie waiting for init to reap it."""
    process = processes.read_process(pid)
    return process is None or process.state == "Z"


def page_that_starts_everything(name: str, then: str) -> str:
    """A page that starts a Compose project (with a named volume), a `docker run`
    container, a volume and a network, then runs `then`."""
    return f"""\
# Everything at once

```yaml file="compose.yaml"
name: {name}
services:
  sleeper:
    image: {BASE_IMAGE}
    command: ["sleep", "infinity"]
    init: true
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
volumes:
  data:
```

```console
$ docker compose up -d --wait --quiet-pull 2>/dev/null
$ docker run -d --name {name}-run --init {BASE_IMAGE} sleep infinity > /dev/null
$ docker volume create {name}-volume
{name}-volume
$ docker network create {name}-network > /dev/null
```

```console
{then}
```
"""


def run_cli(cwd: Path, *pages: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "execdocs", "run", *pages, "--coverage-json", "cov.json"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=_as_from_a_terminal, **popen)


def _as_from_a_terminal() -> None:
    # A shell without job control starts background commands with SIGINT ignored, and
    # the runner would inherit that from pytest; a terminal's Ctrl-C is never ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_page(cwd: Path, page: str) -> subprocess.CompletedProcess[str]:
    """One page through the CLI, to its end."""
    return subprocess.run([sys.executable, "-m", "execdocs", "run", page,
                           "--coverage-json", "cov.json"],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def wait_for_file(path: Path, process: subprocess.Popen) -> None:
    """Until the page reaches the marker command (the runner's output on failure)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the run ended early:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the page did not reach its marker in time")
        time.sleep(0.1)


@pytest.fixture(autouse=True, params=["on", "off"])
def isolation(request, monkeypatch) -> str:
    """Each test with pages isolated (their own names and network) and without."""
    if request.param == "on" and sandbox.unavailable():
        pytest.skip(f"pages cannot be isolated here: {sandbox.unavailable()}")
    monkeypatch.setenv(sandbox.SWITCH, request.param)
    return request.param


@pytest.fixture
def name(tmp_path_factory, monkeypatch) -> str:
    global _before, _runs
    _before = engine_entries()
    # The runs keep their copies here (TMPDIR): what a page of this test starts carries a
    # working directory inside it, which tells it from what others start meanwhile.
    _runs = tmp_path_factory.mktemp("runs")
    monkeypatch.setenv("TMPDIR", str(_runs))
    unique = f"edtest-{uuid.uuid4().hex[:8]}"
    yield unique
    # Should the runner have failed its promise, leave nothing behind anyway: a run whose
    # runner was killed is swept by the next run in the same folder (by its own record
    # of what it made, under names of its own); the rest is removed by the test's prefix.
    if leftovers(unique):
        sweeper = _runs / "sweeper"
        sweeper.mkdir(exist_ok=True)
        (sweeper / "sweep.md").write_text("```console\n$ true\n```\n")
        subprocess.run([sys.executable, "-m", "execdocs", "run", "sweep.md"], cwd=sweeper,
                       capture_output=True, timeout=300)
    for entry in sorted(leftovers(unique), key=lambda e: not e.startswith("ps")):
        kind, item = entry.split(" ", 1)
        if not item.startswith(unique):
            continue  # not named by the test: reported by its assertion, not removed here
        remove = ["container", "rm", "-f", "-v"] if kind == "ps" else [kind, "rm"]
        subprocess.run(["docker", *remove, item], capture_output=True)


def test_a_failing_page_leaves_no_container_network_or_volume(tmp_path, name):
    page = tmp_path / "failing.md"
    text = page_that_starts_everything(name, "$ docker ps --format x | grep -c never")
    page.write_text(text)
    failing_line = text.splitlines().index("$ docker ps --format x | grep -c never") + 1
    done = run_page(tmp_path, page.name)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"failing.md:{failing_line}: exit status 1, expected 0" in done.stdout
    # The report shows the project's state and logs, collected before the cleanup.
    assert f"docker compose ps  (project {name})" in done.stdout
    assert "sleeper" in done.stdout
    assert leftovers(name) == []


def test_ctrl_c_in_the_middle_of_a_page_leaves_nothing(tmp_path, name):
    marker = tmp_path / "reached"
    (tmp_path / "page.md").write_text(
        page_that_starts_everything(name, f"$ touch {marker} && sleep 600"))
    process = run_cli(tmp_path, "page.md", start_new_session=True)
    wait_for_file(marker, process)
    assert len(leftovers(name)) >= 5  # containers, networks, volumes all exist now
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the runner
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "interrupted" in output
    assert leftovers(name) == []
    assert not list(_runs.glob(f"execdocs-{process.pid}-*"))


def test_sigterm_cleans_up_like_ctrl_c(tmp_path, name):
    marker = tmp_path / "reached"
    (tmp_path / "page.md").write_text(
        page_that_starts_everything(name, f"$ touch {marker} && sleep 600"))
    process = run_cli(tmp_path, "page.md")
    wait_for_file(marker, process)
    process.terminate()
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert leftovers(name) == []


def test_a_background_block_and_its_container_are_stopped_at_the_end_of_the_page(
        tmp_path, name):
    pid_file = tmp_path / "background.pid"
    (tmp_path / "page.md").write_text(f"""\
```bash test="background"
echo $BASHPID > {pid_file}
docker run --rm --init --name {name}-fg {BASE_IMAGE} sleep infinity
```

```console wait="60"
$ docker inspect -f '{{{{.State.Running}}}}' {name}-fg
true
```
""")
    done = run_page(tmp_path, "page.md")
    assert done.returncode == 0, done.stdout + done.stderr
    assert gone(int(pid_file.read_text()))
    assert leftovers(name) == []


def test_the_next_run_removes_what_a_killed_run_left(tmp_path, name):
    marker = tmp_path / "reached"
    (tmp_path / "page.md").write_text(
        page_that_starts_everything(name, f"$ touch {marker} && sleep 600"))
    killed = run_cli(tmp_path, "page.md")
    wait_for_file(marker, killed)
    run_roots = list(_runs.glob(f"execdocs-{killed.pid}-*"))
    assert len(run_roots) == 1
    session = json.loads(next(run_roots[0].glob("pages/*/session")).read_text())["pid"]
    killed.kill()  # SIGKILL: no cleanup at all
    killed.wait()
    assert len(leftovers(name)) >= 5 and Path(f"/proc/{session}").exists()

    (tmp_path / "next.md").write_text("```console\n$ true\n```\n")
    nxt = run_cli(tmp_path, "next.md")
    output, _ = nxt.communicate(timeout=300)
    assert nxt.returncode == 0, output
    assert leftovers(name) == []
    assert not run_roots[0].exists()
    assert gone(session)


def test_a_compose_file_written_by_a_page_is_checked_by_compose(tmp_path, name):
    (tmp_path / "page.md").write_text(f"""\
```yaml file="compose.yaml"
name: {name}
services:
  web:
    image: {BASE_IMAGE}
    ports: ["not-a-port"]
```
""")
    done = run_page(tmp_path, "page.md")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "page.md:1: docker compose rejects the Compose file compose.yaml" in done.stdout
    assert "not-a-port" in done.stdout


def test_an_override_file_is_checked_merged_onto_the_compose_file_beside_it(tmp_path, name):
    (tmp_path / "page.md").write_text(f"""\
```yaml file="compose.yaml"
name: {name}
services:
  web:
    image: {BASE_IMAGE}
```

```yaml file="compose.override.yaml"
services:
  web:
    environment:
      GREETING: hello
```

```yaml file="compose.broken.yaml"
services:
  web:
    ports: ["not-a-port"]
```
""")
    done = run_page(tmp_path, "page.md")
    assert done.returncode == 1, done.stdout + done.stderr
    # The override alone has no image, yet it is accepted; the broken one is refused.
    assert "compose.override.yaml" not in done.stdout.split("rejects", 1)[-1].splitlines()[0]
    assert "page.md:15: docker compose rejects the Compose file compose.broken.yaml" in (
        done.stdout
    )


def volume_names() -> set[str]:
    return set(docker("volume", "ls", "-q").split())


def test_anonymous_volumes_a_recreation_orphaned_are_removed(tmp_path, name):
    page = tmp_path / "renew.md"
    page.write_text(f"""\
# Anonymous volumes

```yaml file="compose.yaml"
name: {name}
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
$ docker compose up -d --renew-anon-volumes 2>/dev/null
$ docker compose down 2>/dev/null
```
""")
    before = volume_names()
    done = run_page(tmp_path, page.name)
    assert done.returncode == 0, done.stdout + done.stderr
    # Two anonymous volumes were made (one per container) and `down` without -v kept both.
    assert volume_names() - before == set()


def test_a_project_that_only_ran_one_off_containers_leaves_nothing(tmp_path, name):
    """`docker compose run --rm` makes the project's network and volumes, and leaves no
    container that would name the project afterwards."""
    (tmp_path / "page.md").write_text(f"""\
```yaml file="compose.yaml"
name: {name}
services:
  once:
    image: {BASE_IMAGE}
    volumes:
      - data:/data
volumes:
  data:
```

```console
$ docker compose run --rm --quiet-pull once true 2>/dev/null
```
""")
    done = run_page(tmp_path, "page.md")
    assert done.returncode == 0, done.stdout + done.stderr
    assert leftovers(name) == []


def test_an_image_a_page_rebuilt_leaves_no_untagged_copy(tmp_path, name, isolation):
    """A rebuild moves the tag to the new image and leaves the old one untagged: both are
    the page's, and both go. (Without isolation a page builds under the reader's own
    names, which may be someone's images: those stay, as they would for the reader.)"""
    if isolation == "off":
        pytest.skip("without isolation a page's images carry the reader's names and stay")
    ids = tmp_path / "ids"
    (tmp_path / "page.md").write_text(f"""\
```text file="Dockerfile"
FROM {BASE_IMAGE}
COPY stamp /stamp
```

```yaml file="compose.yaml"
name: {name}
services:
  rebuilt:
    image: {name}/rebuilt
    build: .
```

```console
$ echo one > stamp
$ docker compose build --quiet
$ docker image inspect --format '{{{{.Id}}}}' {name}/rebuilt >> {ids}
$ echo two > stamp
$ docker compose build --quiet
$ docker image inspect --format '{{{{.Id}}}}' {name}/rebuilt >> {ids}
```
""")
    done = run_page(tmp_path, "page.md")
    assert done.returncode == 0, done.stdout + done.stderr
    built = ids.read_text().split()
    assert len(set(built)) == 2, built
    for image in built:
        found = subprocess.run(["docker", "image", "inspect", image], capture_output=True)
        assert found.returncode != 0, f"{image}, built by the page, is still on the engine"



def test_an_untagged_image_the_pages_project_built_goes_and_anothers_stays(tmp_path):
    """Whatever moved a tag unseen by the guard, an untagged image Compose labelled with
    one of the page's own project names is the page's; one of another project is not."""
    page_project, other_project = f"p{uuid.uuid4().hex[:10]}", f"o{uuid.uuid4().hex[:10]}"
    (tmp_path / sandbox.NAMES).write_text(json.dumps({"demo": page_project}))
    mine, theirs = (one_file_image(project.encode(), label=f"{PROJECT_LABEL}={project}")
                    for project in (page_project, other_project))
    try:
        _remove_page_images(Engine(), [tmp_path])
        assert subprocess.run(["docker", "image", "inspect", mine],
                              capture_output=True).returncode != 0
        assert subprocess.run(["docker", "image", "inspect", theirs],
                              capture_output=True).returncode == 0
    finally:
        subprocess.run(["docker", "image", "rm", mine, theirs], capture_output=True)


def test_a_readers_name_the_pages_project_built_goes_and_anothers_stays(tmp_path):
    """An image other Dockerfiles start FROM keeps the reader's name; a page that fails
    before removing it leaves it tagged: the cleanup removes it by its project's label,
    and leaves an image of that name another project built."""
    page_project, other_project = f"p{uuid.uuid4().hex[:10]}", f"o{uuid.uuid4().hex[:10]}"
    (tmp_path / sandbox.NAMES).write_text(json.dumps({"lab": page_project}))
    mine, theirs = (one_file_image(project.encode(), tag=f"{project}-lab/base:latest",
                                   label=f"{PROJECT_LABEL}={project}")
                    for project in (page_project, other_project))
    try:
        _remove_page_images(Engine(), [tmp_path])
        assert subprocess.run(["docker", "image", "inspect", mine],
                              capture_output=True).returncode != 0
        assert subprocess.run(["docker", "image", "inspect", f"{other_project}-lab/base"],
                              capture_output=True).returncode == 0
    finally:
        subprocess.run(["docker", "image", "rm", mine, theirs], capture_output=True)
