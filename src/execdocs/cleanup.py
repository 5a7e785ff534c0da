"""Leave the engine as the page found it: remove every container, network and volume a
page created, and what killed runs left behind (their processes too). Images and build
cache stay.

Two ways to know what a page created:

- A `docker` shim first on the session's PATH adds `--label io.execdocs.run=<run id>` to
  `docker run`, `docker create`, `docker network create` and `docker volume create`
  before it runs the real CLI. Whatever carries this run's label is the run's.
- Compose labels every container with its project's working directory: projects whose
  directory is inside the page's copy are the page's. Before `docker compose down` or
  `rm` removes those labels with the containers, the shim notes which projects exist, so
  their volumes and networks (which carry only the project name) are still found.

Nothing else is touched: a project whose name is shared with containers outside the
page's copy (another run, a developer's own stack) keeps its networks and volumes.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
from pathlib import Path

from execdocs import processes, sandbox, swarm_guard, translate, workspace
from execdocs.docker_engine import (
    HOST_LABEL,
    KINDS,
    PROJECT_LABEL,
    RUN_LABEL,
    UID_LABEL,
    WORKING_DIR_LABEL,
    Engine,
    Resource,
    Swarm,
    under,
)

PROJECTS_NOTED = "compose-projects"  # in a page directory: what the shim saw before `down`
MOUNTS_NOTED = "anonymous-volumes"  # in a page directory: the page's containers' volumes
REFUSED = "refused"  # in a page directory: why the guard refused a command
PROJECTS_OWNED = "owned-projects"  # in a run directory: projects the run started itself
DOCKER_USED = "docker-used"  # in a page directory: the shim ran at least once
SESSION_GRACE = 2.0  # seconds between SIGTERM and SIGKILL for a killed run's processes
GUARD = Path(__file__).with_name("guard.py")

# Commands the guard looks at; everything else (ps, logs, inspect, build, ...) goes
# straight to the real CLI. `docker` followed by global options always goes to the guard.
_GUARDED = ("run create container network volume compose system image builder rm stop kill "
            "restart start pause unpause exec update rename attach wait commit cp tag "
            "swarm node stack service secret config buildx rmi")

_SHIM = r"""#!/bin/bash
# Written by execdocs for one page: the guard checks and labels, then runs the real docker.
: >>@USED@
case $1 in
  @GUARDED@|-*) exec @PYTHON@ -I -S @GUARD@ @CONTEXT@ "$@" ;;
esac
exec @REAL@ "$@"
"""


def write_shim(directory: Path, engine: Engine, run_id: str, page_directory: Path,
               copy: Path, run_root: Path, isolated: bool = False) -> Path:
    """Write the `docker` shim into `directory` (to be put first on PATH), and the context
    the guard reads. An isolated page's every docker command goes through the guard, which
    translates names and ports both ways (see `translate`)."""
    context = {
        "real": engine.docker, "run": run_id, "host": socket.gethostname(),
        "uid": str(os.getuid()), "copy": str(copy), "page_directory": str(page_directory),
        "owned": str(run_root / PROJECTS_OWNED), "noted": str(page_directory / PROJECTS_NOTED),
        "mounts": str(page_directory / MOUNTS_NOTED), "refused": str(page_directory / REFUSED),
        "labels": {"run": RUN_LABEL, "host": HOST_LABEL, "uid": UID_LABEL},
        "isolated": isolated, "names": str(page_directory / sandbox.NAMES),
        "images": str(page_directory / sandbox.IMAGES),
        "built": str(page_directory / sandbox.BUILT),
        "built_ids": str(page_directory / sandbox.BUILT_IDS),
        "ports": str(page_directory / sandbox.PORTS),
        "control": str(page_directory / sandbox.CONTROL),
    }
    directory.mkdir(parents=True, exist_ok=True)
    context_file = directory / "guard.json"
    context_file.write_text(json.dumps(context))
    values = {"USED": page_directory / DOCKER_USED, "PYTHON": sys.executable, "GUARD": GUARD,
              "CONTEXT": context_file, "REAL": engine.docker}
    text = _SHIM.replace("@GUARDED@", "*" if isolated else "|".join(_GUARDED.split()))
    for key, value in values.items():
        text = text.replace(f"@{key}@", shlex.quote(str(value)))
    shim = directory / "docker"
    shim.write_text(text)
    shim.chmod(0o755)
    return shim


def refusal(page_directory: Path) -> str | None:
    """Why the guard refused a command of the page, if it did."""
    try:
        return (page_directory / REFUSED).read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def page_compose_projects(engine: Engine, copy: Path, page_directory: Path) -> set[str]:
    """Compose projects started from inside `copy`, running or noted by the shim."""
    return _projects_under(engine, [copy], [page_directory / PROJECTS_NOTED])


def clean_page(
    engine: Engine, run_id: str, copy: Path, page_directory: Path, started: float
) -> list[Resource]:
    """Remove what the page (started at Unix time `started`) created; returns it."""
    # A page that never ran docker (through the shim) costs no query; one that called the
    # CLI by another path is caught by `clean_run` at the end of the run.
    if not engine.available or not (page_directory / DOCKER_USED).exists():
        return []
    owned = owned_projects(page_directory.parent.parent)
    # Owned projects too: `docker compose run --rm` leaves a project's volumes and
    # networks with no container that would name the project.
    projects = page_compose_projects(engine, copy, page_directory) | owned
    _clean_swarm(engine, run_id, page_directory.parent.parent)
    doomed = _compose_resources(engine, projects, owned, [copy], started)
    doomed += _labelled(engine, f"{RUN_LABEL}={run_id}")
    engine.remove(doomed)
    # Removing the containers took their current anonymous volumes with them; the ones an
    # earlier `down`, `rm` or recreation left behind were noted by the guard beforehand.
    orphans = engine.dangling_volumes(_noted_volumes([page_directory]))
    engine.remove(orphans)
    _remove_page_images(engine, [page_directory])
    return doomed + orphans


def clean_run(engine: Engine, run_id: str, root: Path, started: float) -> list[Resource]:
    """The safety net at the end of a run: Compose projects started anywhere under the
    run's directory, and anything still carrying the run's label."""
    if not engine.available:
        return []
    owned = owned_projects(root)
    _clean_swarm(engine, run_id, root)
    projects = _projects_under(engine, [root], list(root.glob(f"pages/*/{PROJECTS_NOTED}")))
    doomed = _compose_resources(engine, projects | owned, owned, [root], started)
    doomed += _labelled(engine, f"{RUN_LABEL}={run_id}")
    engine.remove(doomed)
    return doomed


def reap_dead_runs(engine: Engine, base: Path | None = None) -> list[Resource]:
    """Remove what this user's runs killed with SIGKILL left: their labelled resources,
    Compose projects started from their directories, the anonymous volumes they noted, and
    the directories. Live runs, and everything of other users, are spared."""
    dead_roots = [root for root in workspace.run_directories(base)
                  if not workspace.run_is_alive(root)]
    for root in dead_roots:  # their shells outlived them: stop what is still running
        for session in workspace.recorded_sessions(root):
            processes.stop_session(session, SESSION_GRACE)
    doomed: list[Resource] = []
    if engine.available:
        noted = [notes for root in dead_roots for notes in root.glob(f"pages/*/{PROJECTS_NOTED}")]
        owned = set().union(*(owned_projects(root) for root in dead_roots))
        # No dead run directory: no Compose project can be under one (a query saved).
        projects = (_projects_under(engine, dead_roots, noted) | owned) if dead_roots else set()
        for root in dead_roots:
            _clean_swarm(engine, root.name.removeprefix(workspace.RUN_PREFIX), root)
        oldest = min(filter(None, map(_modified, dead_roots)), default=0.0)
        doomed = _compose_resources(engine, projects, owned, dead_roots, oldest)
        host, uid = socket.gethostname(), str(os.getuid())
        for kind in KINDS:
            for resource in engine.resources(kind, RUN_LABEL):
                labels = resource.labels
                if (labels.get(HOST_LABEL) == host and labels.get(UID_LABEL) == uid
                        and not _run_alive(labels.get(RUN_LABEL, ""), base)):
                    doomed.append(resource)
        engine.remove(doomed)
        pages = [page for root in dead_roots for page in root.glob("pages/*")]
        orphans = engine.dangling_volumes(_noted_volumes(pages))
        engine.remove(orphans)
        doomed += orphans
        _remove_page_images(engine, pages)
    for root in dead_roots:
        workspace.Run(root.name.removeprefix(workspace.RUN_PREFIX), root).remove()
    return doomed


def _modified(run_root: Path) -> float | None:
    """When `run_root` was last changed; None once it is gone: runs that start together
    (pytest-xdist's workers) sweep the same killed run, and the first one removes it."""
    try:
        return run_root.stat().st_mtime
    except FileNotFoundError:
        return None


def _clean_swarm(engine: Engine, run_id: str, run_root: Path) -> None:
    """The run's stacks, services, secrets and configs; then the swarm, when the run
    initialised it and nothing on it is anyone else's."""
    stacks = _lines(run_root / swarm_guard.STACKS_OWNED)
    initialised = _lines(run_root / swarm_guard.SWARM_INITIALISED)
    swarm = Swarm(engine)
    if not swarm.node_id():
        return  # in no swarm: nothing of the run's can be on one
    swarm.remove(stacks, run_id)
    for node in initialised:
        if swarm.leave_if_initialised(node, stacks, run_id):
            (run_root / swarm_guard.SWARM_INITIALISED).unlink(missing_ok=True)
            return
    # A swarm another run initialised, which could not leave it while this run used it:
    # the last run to finish leaves it, once its maker has ended and nothing runs on it.
    maker = swarm.initialising_run()
    if maker and maker != run_id and not _run_alive(maker, run_root.parent):
        swarm.leave_if_unused()


def _lines(path: Path) -> set[str]:
    try:
        return {line.strip() for line in path.read_text().splitlines() if line.strip()}
    except OSError:
        return set()


def owned_projects(run_root: Path) -> set[str]:
    """The Compose projects the run started itself (the guard found nothing of that name
    on the engine before): only their networks and volumes are ever removed."""
    try:
        return {line.strip() for line in (run_root / PROJECTS_OWNED).read_text().splitlines()
                if line.strip()}
    except OSError:
        return set()


def _remove_page_images(engine: Engine, page_directories: list[Path]) -> None:
    """The isolated pages' own images: their tags and the reader's names their projects'
    builds hold (an image other Dockerfiles start FROM keeps its name; a page that fails
    before removing it leaves it tagged), then the images those tags held before a
    rebuild moved them, then any other untagged image their projects built (a tag can
    move where the guard does not look, e.g. while another build of the page runs)."""
    projects = _page_projects(page_directories)
    engine.remove_images(engine.images_in(_page_namespaces(page_directories))
                         + engine.tags_built_by(projects))
    engine.remove_untagged(_built_ids(page_directories) | engine.untagged_built_by(projects))


def _page_projects(page_directories: list[Path]) -> set[str]:
    """The Compose project names isolated pages used: each made fresh for its page."""
    return {name for directory in page_directories
            for name in translate.Names(str(directory / sandbox.NAMES)).load().values()}


def _page_namespaces(page_directories: list[Path]) -> set[str]:
    """The image namespaces isolated pages built in (unique to each page)."""
    return {namespace for directory in page_directories
            for namespace in translate.Names(str(directory / sandbox.IMAGES)).load().values()}


def _built_ids(page_directories: list[Path]) -> set[str]:
    """Every image id the isolated pages' own tags held (noted by the guard)."""
    ids: set[str] = set()
    for directory in page_directories:
        try:
            ids.update((directory / sandbox.BUILT_IDS).read_text().split())
        except OSError:
            continue
    return ids


def _noted_volumes(page_directories: list[Path]) -> set[str]:
    names: set[str] = set()
    for directory in page_directories:
        try:
            names.update((directory / MOUNTS_NOTED).read_text().split())
        except OSError:
            continue
    return names


def _labelled(engine: Engine, label: str) -> list[Resource]:
    """Every container, network and volume carrying `label`."""
    return [r for kind in KINDS for r in engine.resources(kind, label)]


def _run_alive(run_id: str, base: Path | None) -> bool:
    root = Path(base or workspace.runs_base()) / f"{workspace.RUN_PREFIX}{run_id}"
    if os.path.lexists(root):
        return workspace.run_is_alive(root)  # alive, too, when it is not this user's
    pid = run_id.partition("-")[0]
    # No directory left to ask: alive while a process with the run's pid exists.
    return not pid.isdecimal() or Path(f"/proc/{pid}").exists()


def _projects_under(engine: Engine, roots: list[Path], notes: list[Path]) -> set[str]:
    """Projects whose working directory is inside one of `roots`."""
    pairs = [(c.labels.get(PROJECT_LABEL, ""), c.labels.get(WORKING_DIR_LABEL, ""))
             for c in engine.resources("container", WORKING_DIR_LABEL)]
    for note in notes:
        try:
            lines = note.read_text().splitlines()
        except OSError:
            continue
        pairs += [tuple(line.split("\t", 1)) for line in lines if "\t" in line]
    return {project for project, directory in pairs
            if project and any(under(directory, root) for root in roots)}


def _compose_resources(engine: Engine, projects: set[str], owned: set[str],
                       roots: list[Path], since: float) -> list[Resource]:
    """The containers of `projects` started inside `roots`; and the networks and volumes,
    created since `since`, of those projects that the run started itself (`owned`), when
    no container of the same project name lives elsewhere. A volume that was there before
    is someone else's data, even if the page used it."""
    found: list[Resource] = []
    for project in sorted(projects):
        containers = engine.resources("container", f"{PROJECT_LABEL}={project}")
        ours = [c for c in containers
                if any(under(c.labels.get(WORKING_DIR_LABEL, ""), root) for root in roots)]
        found += ours
        if project in owned and len(ours) == len(containers):
            shared = [r for kind in ("network", "volume")
                      for r in engine.resources(kind, f"{PROJECT_LABEL}={project}")]
            found += engine.created_since(shared, since)
    return found
