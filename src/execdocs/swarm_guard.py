"""The guard's rules for Swarm mode: a page may use the engine's swarm, never change what
it did not create.

- `swarm init` on an engine in no swarm is noted (the node's id, in the run directory):
  only then may the run `swarm leave --force` it, and only while every service on the
  swarm is the run's. Every other change to the swarm or its nodes is refused. An init
  is refused while containers the run did not start are running: leaving the swarm
  would break their name resolution (moby/moby#45144), so such a page runs `alone`.
  The init creates the `docker_gwbridge` network when the engine has none, and leaving
  keeps it: the run removes it after leaving, only when the engine had none before.
- `stack deploy NAME` in an isolated page runs under the engine name of the page (as a
  Compose project does: `papertrade` becomes `p7k2m9x4qa`), with the image references the
  page built translated in the stack file; the stack is noted as the run's. Without
  isolation, a stack of that name that the run did not deploy is refused.
- `stack rm`, `service update|scale|rm|rollback`, `secret rm`, `config rm` are refused
  on what is not the run's; `service create`, `secret create`, `config create` are
  labelled with the run's id, so the cleanup finds them.

Standard library only: the guard imports it in a Python started with `-I -S`.
"""

from __future__ import annotations

import json
import os
import re
import time

if __package__:
    from execdocs import translate
else:  # the guard runs as a script (python -I -S), with this folder on its path
    import translate

STACK_LABEL = "com.docker.stack.namespace"
STACKS_OWNED = "owned-stacks"  # in a run directory: engine names of the run's stacks
SWARM_INITIALISED = "swarm-initialised"  # in a run directory: node id of the run's swarm
# The bridge a swarm's containers reach the outside through: `swarm init` creates it when
# the engine has none, and `swarm leave` keeps it.
GWBRIDGE = "docker_gwbridge"
GWBRIDGE_BEFORE = "gwbridge-before"  # in a run directory: its id before the run's init, or none
# On the node of the run's swarm when its init found no docker_gwbridge (on the node, so
# that whichever run leaves the swarm removes the one the swarm made; see `cleanup`).
GWBRIDGE_LABEL = "io.execdocs.gwbridge"
GWBRIDGE_CREATED = "created"
GWBRIDGE_RELEASE_SECONDS = 60  # for the swarm's last tasks to leave it

# Options that take a value, per command (the others are flags).
_VALUED = {
    ("stack", "deploy"): {"-c", "--compose-file", "--resolve-image"},
    ("stack", "rm"): set(),
    ("service", "scale"): set(),
    ("service", "rm"): set(),
    ("service", "rollback"): set(),
    ("secret", "rm"): set(),
    ("config", "rm"): set(),
}
_SERVICE_UPDATE_FLAGS = {"-d", "--detach", "-q", "--quiet", "--force", "--rollback",
                         "--no-resolve-image", "--read-only", "--init", "--no-healthcheck",
                         "--with-registry-auth", "--tty", "-t"}
_READ_ONLY = {"ls", "list", "ps", "inspect", "logs", "services", "config"}


class Denied(Exception):
    """What the guard turns into a refusal (kept apart so this module needs no guard)."""


def run_directory(context) -> str:
    return os.path.dirname(context.owned_file)


def owned_stacks(context) -> set[str]:
    return _lines(os.path.join(run_directory(context), STACKS_OWNED))


def initialised_node(context) -> str:
    found = _lines(os.path.join(run_directory(context), SWARM_INITIALISED))
    return next(iter(found), "")


def guard(context, group: str, command: str, rest: list[str], args: list[str],
          translate_name) -> list[str]:
    """The arguments to run; raises `Denied`. `translate_name(reader)` is the engine's
    name of a stack in an isolated page (the reader's name without isolation)."""
    if group in ("swarm", "node"):
        _guard_swarm(context, group, command, rest)
        return args
    if command in _READ_ONLY:
        return args
    position = len(args) - len(rest)
    if group == "stack" and command in ("deploy", "up"):
        return args[:position] + _deploy(context, rest, translate_name)
    if group == "stack" and command in ("rm", "remove", "down"):
        for name in _positionals(rest, _VALUED[("stack", "rm")]):
            _require_stack(context, translate_name(name), name)
        return args
    if group in ("service", "secret", "config") and command == "create":
        return args[:position] + labels(context) + _named(rest, group, translate_name)
    if group == "service" and command in ("update", "rm", "remove", "scale", "rollback"):
        if command == "scale":
            names = [p.partition("=")[0] for p in _positionals(rest, set())]
        elif command == "update":
            names = _positionals(rest, None)[-1:]
        else:
            names = _positionals(rest, set())
        _require_owned(context, "service", names)
        return args
    if group in ("secret", "config") and command in ("rm", "remove"):
        _require_owned(context, group, _positionals(rest, set()))
    return args


# `secret create` and `config create` options that take a value
_CREATE_VALUED = {"-l", "--label", "-d", "--driver", "--template-driver"}


def _named(rest: list[str], group: str, translate_name) -> list[str]:
    """The name a `create` gives, as the engine's (in an isolated page: a name of the
    page's own, so that two runs or a user's own secret of that name never meet)."""
    rest = list(rest)
    for index, argument in enumerate(rest):
        if group == "service":
            if argument == "--name" and index + 1 < len(rest):
                rest[index + 1] = translate_name(rest[index + 1])
                return rest
            if argument.startswith("--name="):
                rest[index] = "--name=" + translate_name(argument.partition("=")[2])
                return rest
        elif not argument.startswith("-") and (index == 0 or rest[index - 1] not in _CREATE_VALUED):
            rest[index] = translate_name(argument)
            return rest
    return rest


def _guard_swarm(context, group: str, command: str, rest: list[str]) -> None:
    if group == "node":
        if command not in _READ_ONLY:
            raise Denied(f"`docker node {command}` changes the swarm's nodes; a docs run "
                         "changes only what it created")
        return
    if command == "init":
        state = context.docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
        if (state != "inactive" and "--force-new-cluster" in rest
                and initialised_node(context) != _node_id(context)):
            raise Denied("`docker swarm init --force-new-cluster` remakes the swarm this "
                         "engine is in, which this run did not initialise; a docs run "
                         "changes only what it created")
        if state == "inactive":
            others = others_running(context)
            if others:
                raise Denied(
                    f"this engine runs containers this run did not start ({', '.join(others[:3])}"
                    f"{', ...' if len(others) > 3 else ''}), and leaving a swarm breaks name "
                    "resolution in running containers (moby/moby#45144): run this page on an "
                    "engine where nothing else runs, or stop them first")
            # Noted before it runs (the guard hands the command to the real CLI): a run
            # whose init then fails finds no swarm with this node id at its end.
            _append(os.path.join(run_directory(context), SWARM_INITIALISED), ["pending"])
            with open(os.path.join(run_directory(context), GWBRIDGE_BEFORE), "w") as file:
                file.write((gwbridge_id(context.docker) or "none") + "\n")
        return
    if command == "join-token" and "--rotate" not in rest:
        return
    if command == "leave":
        node = _node_id(context)
        if not node or initialised_node(context) != node:
            raise Denied("this engine's swarm was not initialised by this run; a docs run "
                         "leaves only a swarm it created")
        foreign = foreign_services(context)
        if foreign:
            raise Denied(f"the swarm runs services this run did not create "
                         f"({', '.join(foreign[:3])}); leaving it would remove them: remove "
                         "them first or leave the swarm yourself")
        return
    raise Denied(f"`docker swarm {command}` changes the engine's swarm; a docs run changes "
                 "only what it created")


def others_running(context) -> list[str]:
    """Names of the running containers this run did not start (by the run's label, or a
    Compose project started from the page's copy)."""
    listed = context.docker("ps", "--format", "{{.Names}}\t{{.Label \"" + context.labels["run"]
                            + "\"}}\t{{.Label \"com.docker.compose.project.working_dir\"}}")
    others = []
    for line in listed.stdout.splitlines():
        name, _, rest = line.partition("\t")
        run, _, working_dir = rest.partition("\t")
        if run != context.run and not (working_dir and context.inside_copy(working_dir)):
            others.append(name)
    return sorted(others)


def note_initialised(context) -> None:
    """After `swarm init` ran: the node id of the swarm the run made (nothing when the
    init failed and the node is in no swarm)."""
    path = os.path.join(run_directory(context), SWARM_INITIALISED)
    if initialised_node(context) != "pending":
        return
    node = _node_id(context)
    with open(path, "w") as file:
        file.write(f"{node}\n" if node else "")
    if node:
        # The init creates docker_gwbridge (at once, or with the swarm's first task) on
        # an engine that has none: then, and only then, it is the swarm's to remove.
        before = _lines(os.path.join(run_directory(context), GWBRIDGE_BEFORE))
        gwbridge = (["--label-add", f"{GWBRIDGE_LABEL}={GWBRIDGE_CREATED}"]
                    if swarm_makes_gwbridge(next(iter(before), "")) else [])
        # On the node too: should another run still use the swarm when this one ends,
        # the last run to finish leaves it (see `execdocs.cleanup`), and removes that
        # docker_gwbridge.
        context.docker("node", "update", "--label-add",
                       f"{context.labels['run']}={context.run}", *gwbridge, node)


def gwbridge_id(docker) -> str:
    """The id of the engine's docker_gwbridge network; "" when it has none, and "unknown"
    when the engine did not answer (so that a network seen nowhere is never taken as
    absent)."""
    listed = docker("network", "ls", "--no-trunc", "--format", "{{.ID}}\t{{.Name}}")
    if listed.returncode != 0:
        return "unknown"
    return next((line.partition("\t")[0] for line in listed.stdout.splitlines()
                 if line.partition("\t")[2] == GWBRIDGE), "")


def swarm_makes_gwbridge(before: str) -> bool:
    """Whether the docker_gwbridge after an init is the swarm's: the engine said it had
    none before (`before`: "none"; an id is the engine's own network, "unknown" or ""
    (not asked) are never taken as none)."""
    return before == "none"


def gwbridge_removable(created: bool, current: str, attached: int, state: str) -> bool:
    """Whether the run may remove the engine's docker_gwbridge (`current`, its id, "" for
    none) after leaving its swarm: only when the engine had none before the run's init
    (`created`: the swarm made it, at the init or later), once the engine is in no swarm
    and no container is attached to it."""
    return created and bool(current) and attached == 0 and state == "inactive"


def noted_gwbridge(docker) -> bool:
    """Whether a docs run's init of this node's swarm found no docker_gwbridge (noted on
    the node; False for a swarm no docs run initialised)."""
    shown = docker("node", "inspect", "self", "--format", "{{json .Spec.Labels}}")
    try:
        labels = (json.loads(shown.stdout) or {}) if shown.returncode == 0 else {}
    except ValueError:
        return False
    return labels.get(GWBRIDGE_LABEL) == GWBRIDGE_CREATED


def remove_created_gwbridge(docker, created: bool) -> bool:
    """After leaving the swarm: remove the docker_gwbridge the swarm created, as
    `gwbridge_removable` allows, once the swarm's last tasks have let go of it (they stop
    after `stack rm` or the leave returns). True when it was removed."""
    deadline = time.monotonic() + GWBRIDGE_RELEASE_SECONDS
    while created:
        state = docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
        shown = docker("network", "inspect", "--format", "{{.Id}}\t{{len .Containers}}",
                       GWBRIDGE)
        if shown.returncode != 0:
            return False  # none (any more)
        current, _, attached = shown.stdout.strip().partition("\t")
        if gwbridge_removable(created, current, int(attached or 0), state):
            return docker("network", "rm", current).returncode == 0
        if not gwbridge_removable(created, current, 0, state) or time.monotonic() > deadline:
            return False  # in a swarm again, or still in use: it stays
        time.sleep(0.5)
    return False


def _node_id(context) -> str:
    return context.docker("info", "--format", "{{.Swarm.NodeID}}").stdout.strip()


def foreign_services(context) -> list[str]:
    """Services on the swarm that are neither of the run's stacks nor labelled as the run's."""
    columns = "{{.Name}}\t" + '{{.Label "' + STACK_LABEL + '"}}\t{{.Label "' + \
        context.labels["run"] + '"}}'
    listed = context.docker("service", "ls", "--format", columns)
    stacks = owned_stacks(context)
    found = []
    for line in listed.stdout.splitlines():
        name, stack, run = (line.split("\t") + ["", ""])[:3]
        if name and stack not in stacks and run != context.run:
            found.append(name)
    return found


def _deploy(context, rest: list[str], translate_name) -> list[str]:
    """`stack deploy`: the stack's engine name, its files with the page's images."""
    names = _positionals(rest, _VALUED[("stack", "deploy")])
    if not names:
        return rest
    reader = names[-1]
    engine = translate_name(reader)
    if engine not in owned_stacks(context):
        if _services(context, engine):
            raise Denied(f"stack {reader!r} is already deployed on this swarm, not by this "
                         f"run; remove it yourself if it is yours (`docker stack rm {reader}`) "
                         "or run the docs on another Docker engine")
        _append(os.path.join(run_directory(context), STACKS_OWNED), [engine])
    translated = _with_page_images(context, rest, engine)
    return [engine if (arg == reader and index == _last_index(translated, reader)) else arg
            for index, arg in enumerate(translated)]


def _with_page_images(context, rest: list[str], engine: str) -> list[str]:
    """The stack files merged (`docker stack config`) with the images the page built
    under their engine references, when the page built any."""
    built = context.built.load() if context.isolated else {}
    ports = translate.load_ports(context.ports_file) if context.isolated else []
    files, kept, index = [], [], 0
    while index < len(rest):
        option = rest[index]
        if option in ("-c", "--compose-file") and index + 1 < len(rest):
            files.append(rest[index + 1])
            index += 2
            continue
        if option.startswith("--compose-file="):
            files.append(option.partition("=")[2])
            index += 1
            continue
        kept.append(option)
        index += 1
    if not (built or ports) or not files:
        return rest
    # Variables stay as written: the deploy fills them in from the same environment.
    shown = context.docker("stack", "config", "--skip-interpolation",
                           *[part for f in files for part in ("-c", f)])
    if shown.returncode != 0:
        return rest  # the deploy fails the same way and says why
    text = translate.registry_ports(_images_replaced(shown.stdout, built), ports)
    path = os.path.join(context.page_directory, f"stack.{engine}.yaml")
    with open(path, "w") as file:
        file.write(text)
    return ["-c", path, *kept]


def _images_replaced(text: str, built: dict[str, str]) -> str:
    wanted = dict(built)
    wanted.update({reader.removesuffix(":latest"): engine
                   for reader, engine in built.items() if reader.endswith(":latest")})

    def replace(found: re.Match[str]) -> str:
        return found.group(1) + wanted.get(found.group(2), found.group(2))
    return re.sub(r"^(\s*image:\s*)(\S+)\s*$", replace, text, flags=re.MULTILINE)


def _require_stack(context, engine: str, reader: str) -> None:
    if engine not in owned_stacks(context):
        raise Denied(f"stack {reader} was not deployed by this run; a docs run removes "
                     "only what it created")


def _require_owned(context, kind: str, names: list[str]) -> None:
    if not names:
        return
    stacks = owned_stacks(context)
    field = "{{.Spec.Name}}\t{{json .Spec.Labels}}"
    shown = context.docker(kind, "inspect", "--format", field, *names)
    for line in shown.stdout.splitlines():
        name, _, labels_text = line.partition("\t")
        try:
            labels = json.loads(labels_text) or {}
        except ValueError:
            labels = {}
        mine = (labels.get(STACK_LABEL) in stacks
                or labels.get(context.labels["run"]) == context.run)
        if not mine:
            raise Denied(f"{kind} {name} was not created by this run; a docs run changes "
                         "only what it created")


def _services(context, stack: str) -> list[str]:
    listed = context.docker("service", "ls", "--filter", f"label={STACK_LABEL}={stack}",
                            "--format", "{{.Name}}")
    return listed.stdout.split()


def labels(context) -> list[str]:
    values = {"run": context.run, "host": context.host, "uid": context.uid}
    found = []
    for name, key in context.labels.items():
        found += ["--label", f"{key}={values[name]}"]
    return found


def _positionals(args: list[str], valued: set[str] | None) -> list[str]:
    """Positional arguments; `valued` None: every option takes a value except the flags
    `docker service update` knows (it has dozens of valued options)."""
    found, index = [], 0
    while index < len(args):
        argument = args[index]
        if argument.startswith("-") and argument != "-":
            takes = (not _flags(argument) if valued is None else argument in valued)
            index += 2 if takes and "=" not in argument else 1
            continue
        found.append(argument)
        index += 1
    return found


def _flags(argument: str) -> bool:
    """Whether `argument` is one of `service update`'s flags, or several run together
    (`-dq`)."""
    if argument in _SERVICE_UPDATE_FLAGS:
        return True
    return (not argument.startswith("--") and len(argument) > 2
            and all(f"-{letter}" in _SERVICE_UPDATE_FLAGS for letter in argument[1:]))


def _last_index(args: list[str], value: str) -> int:
    return max(index for index, arg in enumerate(args) if arg == value)


def _lines(path: str) -> set[str]:
    try:
        with open(path) as file:
            return {line.strip() for line in file if line.strip()}
    except OSError:
        return set()


def _append(path: str, lines: list[str]) -> None:
    if lines:
        with open(path, "a") as file:
            file.write("".join(f"{line}\n" for line in lines))
