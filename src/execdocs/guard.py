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
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run as a script, -I
import forwarder  # noqa: E402
import swarm_guard  # noqa: E402
import translate  # noqa: E402

REFUSED_STATUS = 125  # what docker itself answers when it could not run a command
PROJECT_LABEL = "com.docker.compose.project"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
ANONYMOUS = re.compile(r"[0-9a-f]{64}")

# docker's global options that take a value (the others are flags)
_GLOBAL_VALUED = {"--config", "--context", "-c", "--host", "-H", "--log-level", "-l",
                  "--tlscacert", "--tlscert", "--tlskey"}
# docker's global options that choose the engine a command goes to (and how to reach it)
_ENGINE_OPTIONS = {"--config", "--context", "-c", "--host", "-H", "--tls", "--tlsverify",
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
    "rm": set(), "remove": set(), "wait": set(), "pause": set(), "unpause": set(), "rename": set(),
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
        # An isolated page: reader names and ports translated (see `translate`).
        self.isolated = bool(values.get("isolated"))
        self.names = translate.Names(values.get("names", ""))
        self.images = translate.Names(values.get("images", ""))  # image namespaces
        self.built = translate.Names(values.get("built", ""))  # reader -> engine reference
        self.built_ids_file = values.get("built_ids", "")  # ids the page's tags ever held
        self.ports_file = values.get("ports", "")
        self.control = values.get("control", "")
        # The command's own `--context`, `-H`, ...: the guard asks the engine it goes to.
        self.engine_options: list[str] = []

    def docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [self.real, *self.engine_options, *args]
        try:
            return subprocess.run(command, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
        except OSError as error:  # no CLI to ask: the command itself fails the same way
            return subprocess.CompletedProcess(command, 127, "", str(error))

    def owned_projects(self) -> set[str]:
        return _noted(self.owned_file)

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
    if _is_swarm_command(args, "init"):  # the node id is noted once the swarm exists
        status = subprocess.run([context.real, *args]).returncode
        swarm_guard.note_initialised(context)
        return status
    if _is_swarm_command(args, "leave"):  # the guard let only the run's own swarm be left
        created = swarm_guard.noted_gwbridge(context.docker)
        status = subprocess.run([context.real, *args]).returncode
        if status == 0:
            swarm_guard.remove_created_gwbridge(context.docker, created)
        return status
    if not context.isolated or _binary_output(args):
        os.execv(context.real, [context.real, *args])
    ports = translate.load_ports(context.ports_file)
    translator = translate.OutputTranslator(context.names.load(), ports,
                                            context.images.load())
    status = _run_translated([context.real, *args], translator)
    if ports and context.control:
        forwarder.sync(context.control)  # a port it published or closed, mirrored now
    if _BUILDING & set(args) or _is_tag(args):
        _note_built_ids(context)
    return status


# Subcommands that can build an image (Compose's `up`, `run` and `create` build what is
# missing): only after these can a page's tag have moved.
_BUILDING = {"build", "up", "run", "create"}


def _note_built_ids(context: Context) -> None:
    """The image each of the page's own tags now holds: a rebuild moves the tag and leaves
    the old image untagged, which the page's cleanup then removes as its own."""
    tags = sorted(set(context.built.load().values()))
    if not tags or not context.built_ids_file:
        return
    found = context.docker("image", "inspect", "--format", "{{.Id}}", *tags)
    _append(context.built_ids_file, found.stdout.split())


def _is_swarm_command(args: list[str], command: str) -> bool:
    at = _after_options(args, 0, _GLOBAL_VALUED)
    return args[at:at + 2] == ["swarm", command] and "--help" not in args


def _is_tag(args: list[str]) -> bool:
    at = _after_options(args, 0, _GLOBAL_VALUED)
    return args[at:at + 1] == ["tag"] or args[at:at + 2] == ["image", "tag"]


def _binary_output(args: list[str]) -> bool:
    """Commands whose output is an archive or a file's bytes: never rewritten."""
    words = set(args[:4])
    return bool(words & {"save", "export", "cp"})


def _run_translated(command: list[str], translator: translate.OutputTranslator) -> int:
    """Run `command`, writing its output line by line as the reader would see it. Where
    stdout and stderr are one stream (a terminal, `2>&1`), they stay one, in order."""
    shared = _same_file(1, 2)
    process = subprocess.Popen(command, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT if shared else subprocess.PIPE)

    closed = []  # the reader stopped reading (`| head`, `| grep -m 1`)

    def copy(source, sink) -> None:
        try:
            for line in iter(source.readline, b""):
                sink.write(translator(line))
                sink.flush()
        except BrokenPipeError:
            closed.append(sink)
            # Nothing more can be written: as the real CLI would, stop quietly (the
            # CLI gets its own SIGPIPE once its pipe to us is closed too), and keep
            # Python from complaining when it flushes the stream at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sink.fileno())
        source.close()

    err = None
    if not shared:
        err = threading.Thread(target=copy, args=(process.stderr, sys.stderr.buffer))
        err.start()
    copy(process.stdout, sys.stdout.buffer)
    if err is not None:
        err.join()
    status = process.wait()
    return 128 + signal.SIGPIPE if closed else status


def _same_file(first: int, second: int) -> bool:
    try:
        one, two = os.fstat(first), os.fstat(second)
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (two.st_dev, two.st_ino)


def guard(context: Context, args: list[str]) -> list[str]:
    """The arguments to run the real CLI with; raises `Refused`."""
    at = _after_options(args, 0, _GLOBAL_VALUED)
    if at >= len(args):
        return args
    context.engine_options = _engine_options(args[:at])
    command, rest = args[at], args[at + 1:]
    if command in ("container", "volume", "network", "system", "image", "builder",
                   "buildx") and rest:
        group, command, rest = command, rest[0], rest[1:]
    else:
        group = "container" if command in {*_CONTAINER_ACTS, "run", "create"} else command
    if "--help" in rest:
        return args
    if group in _SWARM_GROUPS and rest:
        return _guard_swarm(context, args, group, rest)
    if context.isolated:
        if group == "compose":
            return _isolated_compose(context, args[:at + 1], rest)
        args = translate.arguments_in(args, context.names.load(),
                                      translate.load_ports(context.ports_file),
                                      context.built.load())
        if command == "build" or (group == "buildx" and rest[:1] == ["build"]):
            args = _tags_translated(context, args)
        elif command == "tag" and len(_positionals(rest, set())) == 2:
            # The new tag lives in the page's namespace, as a build's does.
            args = args[:-1] + [_engine_image(context, args[-1])]
        rest = args[len(args) - len(rest):]
        if group == "container" and command in ("run", "create"):
            position = len(args) - len(rest)
            rest = _publish_translated(context, rest)
            args = args[:position] + rest
    if command == "prune":
        raise Refused(f"`docker {group} prune` acts on the whole engine, not only on what "
                      "this run created; show it in a block with test=\"skip\" and a reason")
    if group in ("container", "volume", "network") and command in ("run", "create"):
        if group == "volume":
            _guard_named(context, "volume", _volume_created(rest), _TAKEN)
        elif group == "container":
            _guard_mounts(context, rest)
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
        _guard_containers(context, [t for t in targets if t],
                          removes=command in ("rm", "remove"))
    elif group == "volume" and command in ("rm", "remove"):
        _guard_named(context, "volume", _positionals(rest, set()))
    elif group == "rmi" or (group == "image" and command in ("rm", "remove")):
        _guard_images(context, _positionals(rest, set()))
    elif group == "network" and command in ("rm", "remove", "connect", "disconnect"):
        names = _positionals(rest, _NETWORK_VALUED)
        _guard_named(context, "network", names if command in ("rm", "remove") else names[:1])
    return args


# Swarm mode's commands: the swarm itself, its nodes, and what runs on it.
_SWARM_GROUPS = {"swarm", "node", "stack", "service", "secret", "config"}


def _guard_swarm(context: Context, args: list[str], group: str, rest: list[str]) -> list[str]:
    """Swarm commands (see `swarm_guard`), with the reader's names translated in an
    isolated page."""
    if context.isolated:
        args = translate.arguments_in(args, context.names.load(),
                                      translate.load_ports(context.ports_file),
                                      context.built.load())
        rest = args[len(args) - len(rest):]

    def engine_name(reader: str) -> str:
        return context.names.engine_name(reader) if context.isolated else reader
    try:
        return swarm_guard.guard(context, group, rest[0], rest[1:], args, engine_name)
    except swarm_guard.Denied as denied:
        raise Refused(str(denied)) from None


# Compose commands that start containers, which mount the project's volumes
_COMPOSE_STARTS = {"up", "run", "create", "start", "restart"}


def _guard_compose(context: Context, head: list[str], rest: list[str],
                   project: str | None = None, config: dict | None = None) -> None:
    """Refuse a Compose command whose project is someone else's, or whose containers would
    mount someone's volume (`external: true`); note what it may remove."""
    at = _after_options(rest, 0, _COMPOSE_VALUED)
    if at >= len(rest) or rest[at] in _COMPOSE_HARMLESS:
        return
    if project is None:
        project, config = _compose_project(context, head, rest[:at])
    if project is None:
        return  # Compose cannot read a project either: it will fail the same way
    if rest[at] in _COMPOSE_STARTS:
        _guard_named(context, "volume", _external_volumes(config or {}), _MOUNTED)
    containers = _containers(context, f"label={PROJECT_LABEL}={project}")
    for container in containers:
        if context.inside_copy(container["dir"]) or container["run"] == context.run:
            continue
        where = (f"is running from {container['dir']}, outside this run" if container["dir"]
                 else f"has a container ({container['name']}) this run did not create")
        raise Refused(
            f"Compose project {project!r} {where}; stop that stack first "
            f"(`docker compose -p {project} stop` keeps its data) or run the docs on "
            "another Docker engine")
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
    _append(context.noted_file, [f"{project}\t{c['dir']}" for c in containers if c["dir"]])
    _note_mounts(context, [m for c in containers for m in c["mounts"]])


def _external_volumes(config: dict) -> list[str]:
    """The volumes a Compose project uses but does not own (`external: true`): Compose
    mounts them as they are, whoever made them."""
    volumes = config.get("volumes") or {}
    return [str(volume.get("name") or key) for key, volume in volumes.items()
            if isinstance(volume, dict) and volume.get("external")]


def _compose_project(context: Context, head: list[str],
                     options: list[str]) -> tuple[str | None, dict]:
    """The project name Compose would use, with the same files, options and environment;
    and the project as `docker compose config` shows it ({} when it cannot)."""
    compose = head[-1:]  # `compose`; the global options that matter are the engine's
    asked = context.docker(*compose, *options, "config", "--format", "json")
    interpolated = asked.returncode == 0
    if not interpolated:  # a missing variable or no file: the name alone may be given
        asked = context.docker(*compose, *options, "config", "--no-interpolate",
                               "--format", "json")
    if asked.returncode == 0:
        try:
            config = json.loads(asked.stdout)
            return config["name"], config if interpolated else {}
        except (ValueError, KeyError, TypeError):
            pass
    for index, option in enumerate(options):
        if option in ("-p", "--project-name") and index + 1 < len(options):
            return options[index + 1], {}
        if option.startswith("--project-name="):
            return option.partition("=")[2], {}
    return os.environ.get("COMPOSE_PROJECT_NAME") or None, {}


_COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_OVERRIDE_FILES = ("compose.override.yml", "compose.override.yaml",
                   "docker-compose.override.yml", "docker-compose.override.yaml")
_FILE_OPTIONS = ("-f", "--file")
_NAME_OPTIONS = ("-p", "--project-name")


def _isolated_compose(context: Context, head: list[str], rest: list[str]) -> list[str]:
    """The Compose command run under the page's own project name, with its published
    ports moved to the ones the forwarder stands for."""
    at = _after_options(rest, 0, _COMPOSE_VALUED)
    if at >= len(rest) or rest[at] in _COMPOSE_HARMLESS:
        return head + rest  # files and the list of projects: the output translates
    options = rest[:at]
    reader, config = _compose_project(context, head, options)
    if reader is None:
        return head + rest
    engine = context.names.engine_name(reader)
    kept, index, files = [], 0, []
    while index < len(options):
        option = options[index]
        if option in _NAME_OPTIONS:
            index += 2
            continue
        if option.startswith("--project-name="):
            index += 1
            continue
        if option in _FILE_OPTIONS and index + 1 < len(options):
            files.append(options[index + 1])
        kept.append(option)
        if option in _COMPOSE_VALUED:
            kept.append(options[index + 1] if index + 1 < len(options) else "")
            index += 1
        index += 1
    translated = ["-p", engine, *kept]
    override = _override(context, engine, config)
    if override is not None:
        if not files:
            translated += [part for found in _default_files(options) for part in ("-f", found)]
        translated += ["-f", override]
    _guard_compose(context, head, translated + rest[at:], project=engine, config=config)
    return head + translated + rest[at:]


def _default_files(options: list[str]) -> list[str]:
    """The files Compose reads when no -f is given: COMPOSE_FILE, or compose.yaml (and
    its override) in the project directory or the nearest folder above it."""
    listed = os.environ.get("COMPOSE_FILE")
    if listed:
        return listed.split(os.environ.get("COMPOSE_PATH_SEPARATOR", ":"))
    directory = os.getcwd()
    for index, option in enumerate(options):
        if option == "--project-directory" and index + 1 < len(options):
            directory = os.path.abspath(options[index + 1])
    while True:
        found = [os.path.join(directory, name) for name in _COMPOSE_FILES
                 if os.path.isfile(os.path.join(directory, name))]
        if found:
            override = [os.path.join(directory, name) for name in _OVERRIDE_FILES
                        if os.path.isfile(os.path.join(directory, name))]
            return found[:1] + override[:1]
        parent = os.path.dirname(directory)
        if parent == directory:
            return []
        directory = parent


def _override(context: Context, engine: str, config: dict) -> str | None:
    """A Compose file that moves every published port to the forwarder's and names every
    image the project builds in the page's own namespace (so that pages building at once
    never tag over each other); None when there is nothing to change (or to read)."""
    lines = []
    services = config.get("services") or {}
    # An image another build starts FROM keeps its name: the Dockerfile names it literally
    # (and this engine's BuildKit cannot redirect a FROM to another image).
    bases = _from_images(services)
    built = context.built.load()
    for name, service in sorted(services.items()):
        ports = service.get("ports") or []
        image = service.get("image") if service.get("build") else None
        if image in bases:
            image = None
        arguments = _built_arguments(service, built)
        if not ports and not image and not arguments:
            continue
        lines.append(f"  {json.dumps(name)}:")
        if image:
            lines.append(f"    image: {json.dumps(_engine_image(context, image))}")
        if arguments:
            lines += ["    build:", "      args:"]
            lines += [f"        {json.dumps(key)}: {json.dumps(value)}"
                      for key, value in sorted(arguments.items())]
        if ports:
            lines.append("    ports: !override")
            lines += [f"      - {json.dumps(_published(context, port))}" for port in ports]
    if not lines:
        return None
    path = os.path.join(context.page_directory, f"override.{engine}.yaml")
    with open(path, "w") as file:
        file.write("services:\n" + "\n".join(lines) + "\n")
    return path


def _built_arguments(service: dict, built: dict[str, str]) -> dict[str, str]:
    """Build arguments that name an image the page made (`BASE_IMAGE: debian:bookworm-slim`
    after the page bootstrapped it), as the engine holds it: a `FROM ${BASE_IMAGE}` then
    starts from the page's own image, not from a registry's."""
    build = service.get("build")
    arguments = build.get("args") if isinstance(build, dict) else None
    return {key: built[_tagged(value)] for key, value in (arguments or {}).items()
            if isinstance(value, str) and value and _tagged(value) in built}


def _from_images(services: dict) -> set[str]:
    """The images the project's Dockerfiles start FROM."""
    found = set()
    for service in services.values():
        build = service.get("build")
        if not isinstance(build, dict) or not build.get("context"):
            continue
        path = os.path.join(build["context"], build.get("dockerfile") or "Dockerfile")
        try:
            with open(path) as dockerfile:
                lines = dockerfile.read().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if words and words[0].upper() == "FROM":
                images = [word for word in words[1:] if not word.startswith("--")]
                if images:
                    found.add(images[0])
                    found.add(images[0].removesuffix(":latest"))
    return found


def _engine_image(context: Context, reference: str) -> str:
    """`papertrade/backend:dev` as the page builds it: `pk3j9xq2zm/backend:dev`."""
    namespace, slash, rest = reference.partition("/")
    if slash and ("." in namespace or ":" in namespace or namespace == "localhost"):
        _note_registry(context, namespace)
        return reference  # a registry's address: pushed and pulled as written
    if not slash:
        namespace, colon, tag = reference.partition(":")
        engine = context.images.engine_name(namespace) + colon + tag
    else:
        engine = context.images.engine_name(namespace) + "/" + rest
    context.built.record(_tagged(reference), _tagged(engine))
    return engine


def _note_registry(context: Context, namespace: str) -> None:
    """A registry the page published on the loopback (its port already the host's): its
    tags are the page's own, removed with the page's images."""
    host, _, port = namespace.partition(":")
    for forward in translate.load_ports(context.ports_file):
        if host in ("127.0.0.1", "localhost") and port == str(forward["host_port"]):
            context.images.record(f"{host}:{forward['port']}", namespace)


def _tagged(reference: str) -> str:
    return reference if ":" in reference.rsplit("/", 1)[-1] else reference + ":latest"


def _tags_translated(context: Context, args: list[str]) -> list[str]:
    """`docker build -t papertrade/x` tags in the page's namespace too."""
    translated, index = list(args), 0
    while index < len(translated):
        option = translated[index]
        if option in ("-t", "--tag") and index + 1 < len(translated):
            translated[index + 1] = _engine_image(context, translated[index + 1])
            index += 1
        elif option.startswith("--tag="):
            translated[index] = "--tag=" + _engine_image(context, option.partition("=")[2])
        index += 1
    return translated


def _published(context: Context, port: dict) -> str:
    """One `ports:` entry of `docker compose config` as a short form, with the host port
    the forwarder stands for."""
    host_ip = port.get("host_ip") or ""
    published = str(port.get("published") or "")
    target = f"{port.get('target')}/{port.get('protocol') or 'tcp'}"
    if published.isdigit():
        published = str(forwarder.allocate(context.control, host_ip, int(published)))
    address = f"[{host_ip}]" if ":" in host_ip else host_ip
    if address:
        return f"{address}:{published}:{target}"  # an empty port: the engine picks one
    return f"{published}:{target}" if published else target


def _publish_translated(context: Context, rest: list[str]) -> list[str]:
    """`docker run -p [IP:]PORT:TARGET` with the forwarder's host port, however the option
    is written (`--publish=...`, `-p8000:80`, run together: `-dp 8000:80`)."""
    translated, taken = [], 0
    for words, option, value in _run_option_words(rest):
        taken += len(words)
        if option in ("-p", "--publish") and value is not None:
            # The value ends the last word: its own, or after `-p`/`--publish=` in one.
            words = [*words[:-1], words[-1][:len(words[-1]) - len(value)]
                     + _publish_value(context, value)]
        translated += words
    return translated + rest[taken:]  # the image, then its command, as written


def _publish_value(context: Context, value: str) -> str:
    parts = value.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        host_ip = parts[0].strip("[]")
        parts[1] = str(forwarder.allocate(context.control, host_ip, int(parts[1])))
    elif len(parts) == 2 and parts[0].isdigit():
        parts[0] = str(forwarder.allocate(context.control, "", int(parts[0])))
    return ":".join(parts)


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


_NOT_CREATED = "{kind} {name} was not created by this run; a docs run removes only what it created"
_TAKEN = ("{kind} {name} already exists on this engine, not created by this run (someone's "
          "data; `docker volume create` would hand it to the page as it is): give the page's "
          "volume a name of its own, or remove that one yourself if it is yours")
_MOUNTED = ("{kind} {name} was not created by this run (someone's data); a container of a "
            "docs run mounts only volumes the run created: give the page's volume a name of "
            "its own")


def _guard_named(context: Context, kind: str, names: list[str],
                 refusal: str = _NOT_CREATED) -> set[str]:
    """Refuse when one of `names` is not the run's; returns the names the engine has."""
    if not names:
        return set()
    field = "{{json .Labels}}\t{{.Name}}"
    shown = context.docker(kind, "inspect", "--format", field, *names)
    noted = _noted_mounts(context)
    owned = context.owned_projects()
    stacks = swarm_guard.owned_stacks(context)
    found = set()
    for line in shown.stdout.splitlines():
        labels_text, _, name = line.partition("\t")
        if not name:
            continue  # none of that name (the CLI writes an empty line): nothing to guard
        found.add(name)
        try:
            labels = json.loads(labels_text) or {}
        except ValueError:
            labels = {}
        mine = (labels.get(context.labels["run"]) == context.run
                or labels.get(PROJECT_LABEL) in owned or name in noted
                or labels.get(swarm_guard.STACK_LABEL) in stacks)
        if not mine:
            raise Refused(refusal.format(kind=kind, name=name))
    return found


# `docker volume create` options that take a value
_VOLUME_CREATE_VALUED = {"-d", "--driver", "--label", "-o", "--opt", "--name", "--availability",
                         "--group", "--limit-bytes", "--required-bytes", "--scope", "--secret",
                         "--sharing", "--topology-preferred", "--topology-required", "--type"}
# `docker run` and `docker create` options that take a value (the others are flags)
_RUN_VALUED = {
    "--add-host", "--annotation", "-a", "--attach", "--blkio-weight", "--blkio-weight-device",
    "--cap-add", "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-count",
    "--cpu-percent", "--cpu-period", "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime",
    "-c", "--cpu-shares", "--cpus", "--cpuset-cpus", "--cpuset-mems", "--credentialspec",
    "--detach-keys", "--device", "--device-cgroup-rule", "--device-read-bps",
    "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns",
    "--dns-opt", "--dns-option", "--dns-search", "--domainname", "--entrypoint", "-e",
    "--env", "--env-file", "--expose", "--gpus", "--group-add", "--health-cmd",
    "--health-interval", "--health-retries", "--health-start-interval",
    "--health-start-period", "--health-timeout", "-h", "--hostname", "--io-maxbandwidth",
    "--io-maxiops", "--ip", "--ip6", "--ipc", "--isolation", "--kernel-memory", "-l",
    "--label", "--label-file", "--link", "--link-local-ip", "--log-driver", "--log-opt",
    "--mac-address", "-m", "--memory", "--memory-reservation", "--memory-swap",
    "--memory-swappiness", "--mount", "--name", "--net", "--net-alias", "--network",
    "--network-alias", "--oom-score-adj", "--pid", "--pids-limit", "--platform", "-p",
    "--publish", "--pull", "--restart", "--runtime", "--security-opt", "--shm-size",
    "--stop-signal", "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs", "--ulimit",
    "-u", "--user", "--userns", "--uts", "-v", "--volume", "--volume-driver",
    "--volumes-from", "-w", "--workdir",
}


def _volume_created(rest: list[str]) -> list[str]:
    """The name `docker volume create` gives (none: the engine makes one up)."""
    for index, option in enumerate(rest):
        if option == "--name" and index + 1 < len(rest):
            return [rest[index + 1]]
        if option.startswith("--name="):
            return [option.partition("=")[2]]
    return _positionals(rest, _VOLUME_CREATE_VALUED)[:1]


def _guard_mounts(context: Context, rest: list[str]) -> None:
    """`docker run`/`create` mounting a named volume (`-v NAME:/path`, `--mount
    source=NAME`) or another container's volumes (`--volumes-from`): only the run's own.
    A name no volume has yet is made by the engine, for the page."""
    volumes, containers = [], []
    for option, value in _run_options(rest):
        if option in ("-v", "--volume") and ":" in value:
            volumes.append(value.partition(":")[0])
        elif option == "--mount":
            fields = dict(part.partition("=")[::2] for part in value.split(","))
            if fields.get("type", "volume") == "volume":
                volumes.append(fields.get("source") or fields.get("src") or "")
        elif option == "--volumes-from":
            containers.append(value.partition(":")[0])
    # A path or nothing is a bind mount or an anonymous volume, not a volume's name.
    named = [v for v in volumes if v and "/" not in v and not v.startswith((".", "~", "$"))]
    found = _guard_named(context, "volume", named, _MOUNTED)
    # The engine makes the others for this container, with no label: noted, the cleanup
    # removes them once no container uses them (as it does anonymous volumes).
    _append(context.mounts_file, sorted(set(named) - found))
    _guard_containers(context, [c for c in containers if c], removes=False)


def _run_options(rest: list[str]):
    """(option, value) of the options before the image of `docker run`/`create` that
    have a value."""
    for _words, option, value in _run_option_words(rest):
        if value is not None:
            yield option, value


def _run_option_words(rest: list[str]):
    """(words, option, value) for each option before the image of `docker run`/`create`:
    the words it takes (one, or two when its value is the next), the option that has the
    value (`-v` of `-itv NAME:/path`, `--user` of `--user=root`) and the value (None for
    a flag). Stops at the image (or `--`)."""
    index = 0
    while index < len(rest):
        option = rest[index]
        if option == "--" or not option.startswith("-") or option == "-":
            return
        name, value, words = option, None, [option]
        if option.startswith("--"):
            name, equals, after = option.partition("=")
            if equals:
                value = after
            elif option in _RUN_VALUED:
                value = rest[index + 1] if index + 1 < len(rest) else ""
                words = rest[index:index + 2]
        else:  # short options, one or run together (`-itv NAME:/path`, `-vNAME:/path`)
            for at, letter in enumerate(option[1:], 1):
                if f"-{letter}" in _RUN_VALUED:
                    name = f"-{letter}"
                    if at < len(option) - 1:
                        value = option[at + 1:]
                    else:
                        value = rest[index + 1] if index + 1 < len(rest) else ""
                        words = rest[index:index + 2]
                    break
        yield words, name, value
        index += len(words)


def _containers(context: Context, label_filter: str) -> list[dict]:
    """Containers matching the filter: their working directory and volume mounts."""
    columns = "\t".join(["{{.Names}}", '{{.Label "' + WORKING_DIR_LABEL + '"}}',
                         '{{.Label "' + context.labels["run"] + '"}}', "{{.Mounts}}"])
    listed = context.docker("ps", "-a", "--no-trunc", "--filter", label_filter,
                            "--format", columns)
    found = []
    for line in listed.stdout.splitlines():
        name, directory, run, mounts = (line.split("\t") + ["", "", ""])[:4]
        found.append({"name": name, "dir": directory, "run": run,
                      "mounts": [m for m in mounts.split(",") if m]})
    return found


def _names(context: Context, kind: str, label_filter: str) -> list[str]:
    listed = context.docker(kind, "ls", "--filter", label_filter, "--format", "{{.Name}}")
    return listed.stdout.split()


def _note_mounts(context: Context, volumes: list[str]) -> None:
    """Remember the anonymous volumes of the run's containers: once a container is removed
    without `-v` (or recreated with new ones) nothing else ties them to this run."""
    _append(context.mounts_file, [name for name in volumes if ANONYMOUS.fullmatch(name)])


def _noted_mounts(context: Context) -> set[str]:
    return _noted(context.mounts_file)


def _noted(path: str) -> set[str]:
    """The lines a guard of this page appended to `path` (none when it has none yet)."""
    try:
        with open(path) as noted:
            return {line.strip() for line in noted if line.strip()}
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
        index += 2 if _takes_value(args[index], valued) else 1
    return index


def _takes_value(option: str, valued: set[str]) -> bool:
    """Whether `option` takes the next argument as its value: `-u` or `--user` (in
    `valued`), not `--user=root`; short options run together (`-itu root`) when the first
    that takes a value is the last (`-iuroot` holds its value)."""
    if option.startswith("--") or len(option) <= 2:
        return option in valued
    for at, letter in enumerate(option[1:], 1):
        if f"-{letter}" in valued:
            return at == len(option) - 1
    return False


def _engine_options(options: list[str]) -> list[str]:
    """The global options (before the command) that choose the engine: `--context X`,
    `-H X`, `--host=X`, `--config DIR`, the TLS ones."""
    kept, index = [], 0
    while index < len(options):
        option = options[index]
        step = 2 if _takes_value(option, _GLOBAL_VALUED) else 1
        if option.partition("=")[0] in _ENGINE_OPTIONS or option[:2] in ("-c", "-H"):
            kept += options[index:index + step]
        index += step
    return kept


def _positionals(args: list[str], valued: set[str]) -> list[str]:
    found, index = [], 0
    while index < len(args):
        argument = args[index]
        if argument == "--":
            return found + args[index + 1:]
        if argument.startswith("-") and argument != "-":
            index += 2 if _takes_value(argument, valued) else 1
            continue
        found.append(argument)
        index += 1
    return found


def _guard_images(context: Context, references: list[str]) -> None:
    """`docker rmi` / `docker image rm`: only an image the run built (a tag in an isolated
    page's own namespace, an image one of the run's Compose projects built, or one a tag
    of the page's held); a reader's own image of the same name stays theirs."""
    namespaces = set(context.images.load().values())
    own_tags = {_tagged(engine) for engine in context.built.load().values()}
    owned = context.owned_projects()
    built_ids = _noted(context.built_ids_file) if context.built_ids_file else set()
    for reference in references:
        if _tagged(reference) in own_tags or reference.partition("/")[0] in namespaces:
            continue
        shown = context.docker("image", "inspect", "--format",
                               "{{.Id}}\t{{json .Config.Labels}}", reference)
        if shown.returncode != 0:
            continue  # no such image: the command fails on its own
        image, _, labels_text = shown.stdout.strip().partition("\t")
        try:
            labels = json.loads(labels_text) or {}
        except ValueError:
            labels = {}
        if labels.get(PROJECT_LABEL) in owned or image in built_ids:
            continue
        raise Refused(f"image {reference} was not built by this run (someone's image of that "
                      "name); a docs run removes only what it created")


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
