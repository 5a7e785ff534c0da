"""The page's `docker`: run the real CLI, but never on what the run does not own.

The docker shim (see `execdocs.cleanup`) hands every docker command of a page to this
script, run with the standard library only (`python -I -S guard.py CONTEXT ARGS...`).
It then:

- labels what `run`, `create`, `network create` and `volume create` make with the run's
  id, host and user, so the cleanup finds it;
- before a Compose command, works out the project it acts on (as Compose itself does, by
  asking `docker compose config`) and refuses when containers of that name were started
  from outside the page's copy, or when its volumes or networks exist and the run did not
  start the project itself: a contributor's own stack of the same name, or another run's;
- before `rm`, `stop`, `exec`, `volume rm`, ... refuses a container, volume or network
  that is not the run's;
- refuses `prune`, which acts on the whole engine;
- notes the Compose projects and anonymous volumes of the page's containers before a
  command may remove those containers, so the cleanup still finds what they left.

A refusal prints one line, writes it to the page directory's `refused` file (the runner
reports it at the command's `file:line`) and exits 125 without running anything.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

REFUSED_STATUS = 125  # what docker itself answers when it could not run a command
PROJECT_LABEL = "com.docker.compose.project"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
ANONYMOUS = re.compile(r"[0-9a-f]{64}")

# docker's global options that take a value (the others are flags)
_GLOBAL_VALUED = {"--config", "--context", "-c", "--host", "-H", "--log-level", "-l",
                  "--tlscacert", "--tlscert", "--tlskey"}
# docker compose's global options that take a value
_COMPOSE_VALUED = {"-f", "--file", "-p", "--project-name", "--project-directory",
                   "--env-file", "--profile", "--ansi", "--progress", "--parallel"}
# Compose commands that only read files or list projects: no project is acted on
_COMPOSE_HARMLESS = {"config", "convert", "version", "ls", "help"}
# Container commands whose positional arguments name containers, and the options of each
# that take a value (the others are flags). The first positional of `*_FIRST` commands is
# the container; the rest are its arguments.
_CONTAINER_ACTS = {
    "rm": set(), "wait": set(), "pause": set(), "unpause": set(), "rename": set(),
    "stop": {"-t", "--time", "-s", "--signal"}, "restart": {"-t", "--time", "-s", "--signal"},
    "kill": {"-s", "--signal"}, "start": {"--detach-keys"}, "attach": {"--detach-keys"},
    "exec": {"-u", "--user", "-w", "--workdir", "-e", "--env", "--env-file", "--detach-keys"},
    "commit": {"-a", "--author", "-m", "--message", "-c", "--change"},
    "update": {"--blkio-weight", "--cpu-period", "--cpu-quota", "--cpu-rt-period",
               "--cpu-rt-runtime", "-c", "--cpu-shares", "--cpus", "--cpuset-cpus",
               "--cpuset-mems", "-m", "--memory", "--memory-reservation", "--memory-swap",
               "--pids-limit", "--restart"},
    "cp": set(),
}
_CONTAINER_FIRST = {"exec", "commit", "rename"}
_NETWORK_VALUED = {"--alias", "--ip", "--ip6", "--link", "--link-local-ip", "--driver-opt"}


class Refused(Exception):
    """The command would act on something the run does not own."""


class Context:
    """What the shim knows about the page: read from the JSON file it was written with."""

    def __init__(self, values: dict[str, str]):
        self.real = values["real"]
        self.run = values["run"]
        self.host = values["host"]
        self.uid = values["uid"]
        self.copy = values["copy"]
        self.page_directory = values["page_directory"]
        self.owned_file = values["owned"]  # projects the run started itself, one a line
        self.noted_file = values["noted"]  # project<TAB>working dir, noted before removal
        self.mounts_file = values["mounts"]  # anonymous volumes of the run's containers
        self.refused_file = values["refused"]
        self.labels = values["labels"]  # name -> label key: run, host, uid

    def docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.real, *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)

    def owned_projects(self) -> set[str]:
        try:
            with open(self.owned_file) as owned:
                return {line.strip() for line in owned if line.strip()}
        except OSError:
            return set()

    def own_project(self, project: str) -> None:
        _append(self.owned_file, [project])

    def inside_copy(self, directory: str) -> bool:
        return directory == self.copy or directory.startswith(self.copy.rstrip("/") + "/")


def main(argv: list[str]) -> int:
    with open(argv[1]) as context_file:
        context = Context(json.load(context_file))
    args = argv[2:]
    try:
        args = guard(context, args)
    except Refused as refused:
        message = f"execdocs: refused: {refused}"
        print(message, file=sys.stderr)
        _append(context.refused_file, [str(refused)])
        return REFUSED_STATUS
    os.execv(context.real, [context.real, *args])
    return 0  # not reached


def guard(context: Context, args: list[str]) -> list[str]:
    """The arguments to run the real CLI with; raises `Refused`."""
    at = _after_options(args, 0, _GLOBAL_VALUED)
    if at >= len(args):
        return args
    command, rest = args[at], args[at + 1:]
    if command in ("container", "volume", "network", "system", "image", "builder") and rest:
        group, command, rest = command, rest[0], rest[1:]
    else:
        group = "container" if command in {*_CONTAINER_ACTS, "run", "create"} else command
    if "--help" in rest:
        return args
    if command == "prune":
        raise Refused(f"`docker {group} prune` acts on the whole engine, not only on what "
                      "this run created; show it in a block with test=\"skip\" and a reason")
    if group in ("container", "volume", "network") and command in ("run", "create"):
        position = len(args) - len(rest)
        return args[:position] + _labels(context) + args[position:]
    if group == "compose":
        _guard_compose(context, args[:at + 1], rest)
    elif group == "container" and command in _CONTAINER_ACTS:
        targets = _positionals(rest, _CONTAINER_ACTS[command])
        if command == "cp":
            targets = [_container_of_cp(target) for target in targets]
        elif command in _CONTAINER_FIRST:
            targets = targets[:1]
        _guard_containers(context, [t for t in targets if t], removes=command == "rm")
    elif group == "volume" and command in ("rm", "remove"):
        _guard_named(context, "volume", _positionals(rest, set()))
    elif group == "network" and command in ("rm", "remove", "connect", "disconnect"):
        names = _positionals(rest, _NETWORK_VALUED)
        _guard_named(context, "network", names if command in ("rm", "remove") else names[:1])
    return args


def _guard_compose(context: Context, head: list[str], rest: list[str]) -> None:
    """Refuse a Compose command whose project is someone else's; note what it may remove."""
    at = _after_options(rest, 0, _COMPOSE_VALUED)
    if at >= len(rest) or rest[at] in _COMPOSE_HARMLESS:
        return
    options = rest[:at]
    project = _compose_project(context, head, options)
    if project is None:
        return  # Compose cannot read a project either: it will fail the same way
    containers = _containers(context, f"label={PROJECT_LABEL}={project}")
    foreign = sorted({c["dir"] for c in containers if not context.inside_copy(c["dir"])})
    if foreign:
        raise Refused(
            f"Compose project {project!r} is running from {foreign[0]}, outside this run; "
            f"stop that stack first (`docker compose -p {project} stop` keeps its data) or "
            "run the docs on another Docker engine")
    if project not in context.owned_projects():
        leftovers = [f"{kind} {name}" for kind in ("volume", "network")
                     for name in _names(context, kind, f"label={PROJECT_LABEL}={project}")]
        if leftovers and not containers:
            raise Refused(
                f"Compose project {project!r} already has {', '.join(leftovers[:3])} on this "
                "engine, not created by this run (someone's stopped stack and its data); "
                f"remove them yourself if they are yours (`docker compose -p {project} down`) "
                "or run the docs on another Docker engine")
        context.own_project(project)
    _append(context.noted_file, [f"{project}\t{c['dir']}" for c in containers])
    _note_mounts(context, [m for c in containers for m in c["mounts"]])


def _compose_project(context: Context, head: list[str], options: list[str]) -> str | None:
    """The project name Compose would use, with the same files, options and environment."""
    asked = context.docker(*head, *options, "config", "--format", "json")
    if asked.returncode != 0:  # a missing variable or no file: the name alone may be given
        asked = context.docker(*head, *options, "config", "--no-interpolate",
                               "--format", "json")
    if asked.returncode == 0:
        try:
            return json.loads(asked.stdout)["name"]
        except (ValueError, KeyError, TypeError):
            pass
    for index, option in enumerate(options):
        if option in ("-p", "--project-name") and index + 1 < len(options):
            return options[index + 1]
        if option.startswith("--project-name="):
            return option.partition("=")[2]
    return os.environ.get("COMPOSE_PROJECT_NAME") or None


def _guard_containers(context: Context, targets: list[str], removes: bool) -> None:
    if not targets:
        return
    shown = context.docker("container", "inspect", "--format", "{{json .}}", *targets)
    found = []
    for line in shown.stdout.splitlines():
        try:
            container = json.loads(line)
        except ValueError:
            continue
        labels = container.get("Config", {}).get("Labels") or {}
        mine = (labels.get(context.labels["run"]) == context.run
                or context.inside_copy(labels.get(WORKING_DIR_LABEL, "") or "/\0"))
        if not mine:
            raise Refused(f"container {container.get('Name', '').lstrip('/')} was not "
                          "created by this run; a docs run acts only on its own containers")
        found += [m.get("Name", "") for m in container.get("Mounts") or []
                  if m.get("Type") == "volume"]
    if removes:
        _note_mounts(context, found)


def _guard_named(context: Context, kind: str, names: list[str]) -> None:
    if not names:
        return
    field = "{{json .Labels}}\t{{.Name}}"
    shown = context.docker(kind, "inspect", "--format", field, *names)
    noted = _noted_mounts(context)
    owned = context.owned_projects()
    for line in shown.stdout.splitlines():
        labels_text, _, name = line.partition("\t")
        try:
            labels = json.loads(labels_text) or {}
        except ValueError:
            labels = {}
        mine = (labels.get(context.labels["run"]) == context.run
                or labels.get(PROJECT_LABEL) in owned or name in noted)
        if not mine:
            raise Refused(f"{kind} {name} was not created by this run; a docs run removes "
                          "only what it created")


def _containers(context: Context, label_filter: str) -> list[dict]:
    """Containers matching the filter: their working directory and volume mounts."""
    listed = context.docker("ps", "-a", "--no-trunc", "--filter", label_filter, "--format",
                            "{{.ID}}\t{{.Label \"" + WORKING_DIR_LABEL + "\"}}\t{{.Mounts}}")
    found = []
    for line in listed.stdout.splitlines():
        _id, directory, mounts = (line.split("\t") + ["", ""])[:3]
        found.append({"dir": directory, "mounts": [m for m in mounts.split(",") if m]})
    return found


def _names(context: Context, kind: str, label_filter: str) -> list[str]:
    listed = context.docker(kind, "ls", "--filter", label_filter, "--format", "{{.Name}}")
    return listed.stdout.split()


def _note_mounts(context: Context, volumes: list[str]) -> None:
    """Remember the anonymous volumes of the run's containers: once a container is removed
    without `-v` (or recreated with new ones) nothing else ties them to this run."""
    _append(context.mounts_file, [name for name in volumes if ANONYMOUS.fullmatch(name)])


def _noted_mounts(context: Context) -> set[str]:
    try:
        with open(context.mounts_file) as noted:
            return {line.strip() for line in noted}
    except OSError:
        return set()


def _labels(context: Context) -> list[str]:
    values = {"run": context.run, "host": context.host, "uid": context.uid}
    labels = []
    for name, key in context.labels.items():
        labels += ["--label", f"{key}={values[name]}"]
    return labels


def _after_options(args: list[str], start: int, valued: set[str]) -> int:
    """The index of the first argument after the options (skipping their values)."""
    index = start
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        index += 2 if args[index] in valued else 1
    return index


def _positionals(args: list[str], valued: set[str]) -> list[str]:
    found, index = [], 0
    while index < len(args):
        argument = args[index]
        if argument == "--":
            return found + args[index + 1:]
        if argument.startswith("-") and argument != "-":
            index += 2 if argument in valued else 1
            continue
        found.append(argument)
        index += 1
    return found


def _container_of_cp(argument: str) -> str:
    """`docker cp` names its container as `name:path`; a plain path is the host's."""
    name, colon, _path = argument.partition(":")
    return name if colon and "/" not in name else ""


def _append(path: str, lines: list[str]) -> None:
    if lines:
        with open(path, "a") as file:
            file.write("".join(f"{line}\n" for line in lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
