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

import socket
from pathlib import Path

from execdocs import processes, workspace
from execdocs.docker_engine import (
    HOST_LABEL,
    KINDS,
    PROJECT_LABEL,
    RUN_LABEL,
    WORKING_DIR_LABEL,
    Engine,
    Resource,
    under,
)

PROJECTS_NOTED = "compose-projects"  # in a page directory: what the shim saw before `down`
DOCKER_USED = "docker-used"  # in a page directory: the shim ran at least once
SESSION_GRACE = 2.0  # seconds between SIGTERM and SIGKILL for a killed run's processes

_SHIM = r"""#!/bin/bash
# Written by execdocs for one page: label what the page creates, then run the real docker.
real=@REAL@
: >>@USED@
args=("$@")
i=0
while ((i < ${#args[@]})); do  # skip global options; some take a value
  case ${args[i]} in
    --config|--context|-c|--host|-H|--log-level|-l|--tlscacert|--tlscert|--tlskey) ((i += 2)) ;;
    -*) ((i += 1)) ;;
    *) break ;;
  esac
done
at=
case ${args[i]} in
  run|create) at=$((i + 1)) ;;
  container) [[ ${args[i+1]} == run || ${args[i+1]} == create ]] && at=$((i + 2)) ;;
  network|volume) [[ ${args[i+1]} == create ]] && at=$((i + 2)) ;;
  compose)
    for arg in "${args[@]:i+1}"; do
      if [[ $arg == down || $arg == rm ]]; then
        "$real" ps -a --filter label=@PROJECT_LABEL@ --format \
          '{{.Label "@PROJECT_LABEL@"}}'$'\t''{{.Label "@WORKING_DIR_LABEL@"}}' \
          >>@NOTED@ 2>/dev/null
        break
      fi
    done ;;
esac
if [[ -n $at ]]; then
  exec "$real" "${args[@]:0:at}" --label @RUN_LABEL@=@RUN@ --label @HOST_LABEL@=@HOST@ \
    "${args[@]:at}"
fi
exec "$real" "$@"
"""


_PATHS = ("REAL", "NOTED", "USED")  # quoted in the shim: they may hold spaces


def write_shim(directory: Path, engine: Engine, run_id: str, page_directory: Path) -> Path:
    """Write the `docker` shim into `directory` (to be put first on PATH)."""
    values = {
        "REAL": engine.docker, "RUN": run_id, "HOST": socket.gethostname(),
        "NOTED": str(page_directory / PROJECTS_NOTED), "USED": str(page_directory / DOCKER_USED),
        "RUN_LABEL": RUN_LABEL,
        "HOST_LABEL": HOST_LABEL, "PROJECT_LABEL": PROJECT_LABEL,
        "WORKING_DIR_LABEL": WORKING_DIR_LABEL,
    }
    text = _SHIM
    for key, value in values.items():
        text = text.replace(f"@{key}@", _quoted(value) if key in _PATHS else value)
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "docker"
    shim.write_text(text)
    shim.chmod(0o755)
    return shim


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


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
    projects = page_compose_projects(engine, copy, page_directory)
    doomed = _compose_resources(engine, projects, [copy], started)
    doomed += _labelled(engine, f"{RUN_LABEL}={run_id}")
    engine.remove(doomed)
    # Removing the containers took their current anonymous volumes with them; the ones
    # an earlier recreation orphaned are left, unlabelled, dangling since the page began.
    orphans = engine.orphaned_anonymous_volumes(started) if projects else []
    engine.remove(orphans)
    return doomed + orphans


def clean_run(engine: Engine, run_id: str, root: Path, started: float) -> list[Resource]:
    """The safety net at the end of a run: Compose projects started anywhere under the
    run's directory, and anything still carrying the run's label."""
    if not engine.available:
        return []
    projects = _projects_under(engine, [root], list(root.glob(f"pages/*/{PROJECTS_NOTED}")))
    doomed = _compose_resources(engine, projects, [root], started)
    doomed += _labelled(engine, f"{RUN_LABEL}={run_id}")
    engine.remove(doomed)
    return doomed


def reap_dead_runs(engine: Engine, base: Path | None = None) -> list[Resource]:
    """Remove what runs killed with SIGKILL left: their labelled resources, Compose
    projects started from their directories, and the directories. Live runs are spared."""
    dead_roots = [root for root in workspace.run_directories(base)
                  if not workspace.run_is_alive(root)]
    for root in dead_roots:  # their shells outlived them: stop what is still running
        for session in workspace.recorded_sessions(root):
            processes.stop_session(session, SESSION_GRACE)
    doomed: list[Resource] = []
    if engine.available:
        noted = [notes for root in dead_roots for notes in root.glob(f"pages/*/{PROJECTS_NOTED}")]
        projects = _projects_under(engine, dead_roots, noted)
        oldest = min((r.stat().st_mtime for r in dead_roots), default=0.0)
        doomed = _compose_resources(engine, projects, dead_roots, oldest)
        host = socket.gethostname()
        for kind in KINDS:
            for resource in engine.resources(kind, RUN_LABEL):
                run_id = resource.labels.get(RUN_LABEL, "")
                if resource.labels.get(HOST_LABEL) == host and not _run_alive(run_id, base):
                    doomed.append(resource)
        engine.remove(doomed)
    for root in dead_roots:
        workspace.Run(root.name.removeprefix(workspace.RUN_PREFIX), root).remove()
    return doomed


def _labelled(engine: Engine, label: str) -> list[Resource]:
    """Every container, network and volume carrying `label`."""
    return [r for kind in KINDS for r in engine.resources(kind, label)]


def _run_alive(run_id: str, base: Path | None) -> bool:
    root = Path(base or workspace.runs_base()) / f"{workspace.RUN_PREFIX}{run_id}"
    if root.exists():
        return workspace.run_is_alive(root)
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


def _compose_resources(
    engine: Engine, projects: set[str], roots: list[Path], since: float
) -> list[Resource]:
    """The containers of `projects` started inside `roots`, and the projects' networks and
    volumes created since `since`, when no container of the same project name lives
    elsewhere (a volume that was there before is someone else's, even if reused)."""
    found: list[Resource] = []
    for project in sorted(projects):
        containers = engine.resources("container", f"{PROJECT_LABEL}={project}")
        ours = [c for c in containers
                if any(under(c.labels.get(WORKING_DIR_LABEL, ""), root) for root in roots)]
        found += ours
        if len(ours) == len(containers):
            shared = [r for kind in ("network", "volume")
                      for r in engine.resources(kind, f"{PROJECT_LABEL}={project}")]
            found += engine.created_since(shared, since)
    return found
