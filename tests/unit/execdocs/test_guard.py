"""The guard's reading of docker command lines (what it acts on), without an engine. What
it refuses on a real engine is tested in tests/container/test_execdocs_safety.py."""

from __future__ import annotations

import json
import subprocess

import pytest

from execdocs import guard


@pytest.fixture
def context(tmp_path):
    values = {"real": "/nonexistent/docker", "run": "123-abcd", "host": "h", "uid": "0",
              "copy": str(tmp_path / "copy"), "page_directory": str(tmp_path),
              "owned": str(tmp_path / "owned"), "noted": str(tmp_path / "noted"),
              "mounts": str(tmp_path / "mounts"), "refused": str(tmp_path / "refused"),
              "labels": {"run": "io.execdocs.run", "host": "io.execdocs.host",
                         "uid": "io.execdocs.uid"}}
    (tmp_path / "context.json").write_text(json.dumps(values))
    return guard.Context(values)


LABELS = ["--label", "io.execdocs.run=123-abcd", "--label", "io.execdocs.host=h",
          "--label", "io.execdocs.uid=0"]


@pytest.mark.parametrize("command, at", [
    (["run", "--rm", "img"], 1),
    (["--context", "x", "run", "-d", "img", "sleep", "1"], 3),
    (["container", "create", "img"], 2),
    (["network", "create", "n"], 2),
    (["volume", "create", "v"], 2),
])
def test_what_a_page_creates_is_labelled_right_after_the_subcommand(context, command, at):
    assert guard.guard(context, command) == command[:at] + LABELS + command[at:]


@pytest.mark.parametrize("command", [
    ["system", "prune", "-f"], ["volume", "prune"], ["container", "prune", "-f"],
    ["network", "prune"], ["image", "prune", "-a"], ["builder", "prune"],
])
def test_prune_is_refused_because_it_acts_on_the_whole_engine(context, command):
    with pytest.raises(guard.Refused, match="acts on the whole engine"):
        guard.guard(context, command)


@pytest.mark.parametrize("command, valued, expected", [
    (["-f", "-v", "a", "b"], set(), ["a", "b"]),
    (["-t", "5", "web"], {"-t"}, ["web"]),
    (["--time=5", "web"], {"-t", "--time"}, ["web"]),
    (["-it", "-u", "root", "db", "psql", "-c", "x"], {"-u"}, ["db", "psql", "x"]),
    (["--", "-odd-name"], set(), ["-odd-name"]),
])
def test_positionals_skip_options_and_their_values(command, valued, expected):
    assert guard._positionals(command, valued) == expected


def test_docker_cp_names_its_container_before_the_colon():
    assert guard._container_of_cp("web:/etc/hosts") == "web"
    assert guard._container_of_cp("./local/file") == ""
    assert guard._container_of_cp("/abs/with:colon") == ""


def test_commands_that_only_read_or_help_pass_unchanged(context):
    for command in (["ps", "-a"], ["logs", "web"], ["compose", "version"],
                    ["compose", "-f", "x.yaml", "config"], ["rm", "--help"], ["--version"]):
        assert guard.guard(context, command) == command


def test_a_refusal_is_one_line_on_stderr_written_for_the_runner(tmp_path, context, capsys):
    status = guard.main(["guard.py", str(tmp_path / "context.json"), "volume", "prune"])
    assert status == guard.REFUSED_STATUS
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("execdocs: refused: `docker volume prune`")
    assert (tmp_path / "refused").read_text().startswith("`docker volume prune`")


def test_a_reader_that_stops_reading_ends_the_command_quietly():
    """`docker compose logs | grep -m 1`: once grep has its line, the translated copy
    stops as the CLI itself would (status 141, SIGPIPE's), with no traceback."""
    import subprocess
    import sys
    from pathlib import Path

    execdocs = Path(guard.__file__).parent
    script = (
        f"import sys; sys.path.insert(0, {str(execdocs)!r}); import guard, translate\n"
        "translator = translate.OutputTranslator({}, {}, {})\n"
        "command = ['seq', '0', '200000']\n"
        "sys.exit(guard._run_translated(command, translator))\n"
    )
    done = subprocess.run(
        ["bash", "-c", '"$0" -S -c "$1" | head -n 1; echo "status ${PIPESTATUS[0]}" >&2',
         sys.executable, script],
        capture_output=True, text=True, timeout=60,
    )
    assert done.stdout == "0\n"
    assert done.stderr == "status 141\n"


def test_a_build_argument_naming_an_image_the_page_made_names_the_page_s_own(tmp_path, context):
    """A page that bootstraps a base (`docker tag ... debian:bookworm-slim`, in its own
    namespace) and builds `FROM ${BASE_IMAGE}` with it: the override hands the build the
    page's image; other arguments, and images the page did not make, are left alone."""
    context.built = guard.translate.Names(str(tmp_path / "built"))
    context.images = guard.translate.Names(str(tmp_path / "images"))
    context.built.record("debian:bookworm-slim", "d4k2m9:bookworm-slim")
    config = {"services": {
        "db": {"image": "papertrade/db:15", "build": {"context": str(tmp_path), "args": {
            "BASE_IMAGE": "debian:bookworm-slim", "PG_MAJOR": "15"}}},
        "cache": {"image": "papertrade/cache:8", "build": {"context": str(tmp_path), "args": {
            "BASE_IMAGE": "debian:trixie-slim"}}},
    }}
    override = (tmp_path / "override.p1.yaml")
    assert guard._override(context, "p1", config) == str(override)
    lines = override.read_text().splitlines()
    db = lines[lines.index('  "db":'):]
    assert db[2:5] == ["    build:", "      args:", '        "BASE_IMAGE": "d4k2m9:bookworm-slim"']
    assert "PG_MAJOR" not in override.read_text()
    assert "trixie" not in override.read_text()


class Engines:
    """The docker CLI as the guard runs it (`subprocess.run`), against scripted engines:
    each command is answered by the engine its global options name (`--context`, `-H`,
    `--host`), "default" without them. An engine holds someone's stack `theirs`: a
    container (`theirs-db-1`, started from their folder), its volume and network, all
    unlabelled by any run."""

    def __init__(self, *holding_theirs: str):
        self.holding = set(holding_theirs)
        self.asked: list[tuple[str, ...]] = []

    def __call__(self, command, **_):
        args, engine = list(command[1:]), "default"
        while args and args[0].startswith("-"):
            option = args.pop(0)
            if option in ("--context", "-c", "--host", "-H"):
                engine = args.pop(0)
            elif option.startswith(("--context=", "--host=")):
                engine = option.partition("=")[2]
        self.asked.append((engine, *args))
        return subprocess.CompletedProcess(command, 0, self._answer(engine, args), "")

    def _answer(self, engine: str, args: list[str]) -> str:
        if args[1:2] == ["inspect"] and args[0] in ("volume", "network"):
            # as the CLI answers with --format: a line per name it found, an empty line
            # when it found none
            found = {"volume": "theirs_data", "network": "theirs_default"}[args[0]]
            if engine not in self.holding or found not in args:
                return "\n"
        if engine not in self.holding:
            return json.dumps({"name": _project(args)}) if "config" in args else ""
        project = {"com.docker.compose.project": "theirs"}
        if "config" in args:
            return json.dumps({"name": _project(args)})
        if args[:2] == ["container", "inspect"] and "theirs-db-1" in args:
            return json.dumps({"Name": "/theirs-db-1", "Config": {"Labels": {
                **project, "com.docker.compose.project.working_dir": "/home/me/theirs"}},
                "Mounts": [{"Type": "volume", "Name": "theirs_data"}]})
        if args[:2] in (["volume", "inspect"], ["network", "inspect"]):
            kind = {"volume": "theirs_data", "network": "theirs_default"}[args[0]]
            return f"{json.dumps(project)}\t{kind}" if kind in args else ""
        if args[:1] == ["ps"] and "label=com.docker.compose.project=theirs" in args:
            return "theirs-db-1\t/home/me/theirs\t\ttheirs_data"
        if args[1:2] == ["ls"] and "label=com.docker.compose.project=theirs" in args:
            return {"volume": "theirs_data", "network": "theirs_default"}.get(args[0], "")
        return ""


def _project(args: list[str]) -> str:
    return args[args.index("-p") + 1] if "-p" in args else "page"


@pytest.fixture
def engines(monkeypatch):
    """The default engine holds someone's stack; "other" (a context, a host) does too."""
    found = Engines("default", "other", "tcp://other:2375")
    monkeypatch.setattr(guard.subprocess, "run", found)
    return found


@pytest.mark.parametrize("command", [
    ["rm", "-f", "theirs-db-1"],
    ["container", "rm", "theirs-db-1"],
    ["container", "remove", "-f", "theirs-db-1"],  # docker's other name for `container rm`
])
def test_a_container_the_run_did_not_create_is_removed_under_no_name(context, engines, command):
    with pytest.raises(guard.Refused, match="container theirs-db-1 was not created by this run"):
        guard.guard(context, command)


@pytest.mark.parametrize("command", [
    ["exec", "-itu", "root", "theirs-db-1", "rm", "-rf", "/data"],  # -i -t -u root
    ["exec", "-ie", "A=1", "theirs-db-1", "sh"],
    ["exec", "-iuroot", "theirs-db-1", "sh"],
])
def test_short_options_run_together_do_not_hide_the_container(context, engines, command):
    with pytest.raises(guard.Refused, match="container theirs-db-1 was not created by this run"):
        guard.guard(context, command)


@pytest.mark.parametrize("command, valued, expected", [
    (["-itu", "root", "db", "psql"], {"-u"}, ["db", "psql"]),
    (["-iuroot", "db"], {"-u"}, ["db"]),
    (["-t5", "web"], {"-t"}, ["web"]),
])
def test_positionals_read_short_options_run_together(command, valued, expected):
    assert guard._positionals(command, valued) == expected


@pytest.mark.parametrize("command, engine", [
    (["--context", "other", "rm", "-f", "theirs-db-1"], "other"),
    (["-H", "tcp://other:2375", "volume", "rm", "theirs_data"], "tcp://other:2375"),
    (["--host=tcp://other:2375", "network", "rm", "theirs_default"], "tcp://other:2375"),
    (["--context", "other", "compose", "-p", "theirs", "down", "-v"], "other"),
])
def test_the_guard_asks_the_engine_the_command_goes_to(context, monkeypatch, command, engine):
    """`docker --context other rm ...`: whose the container is, is asked of `other`, not
    of the engine the page's other commands use (where no such name may exist)."""
    engines = Engines("other", "tcp://other:2375")
    monkeypatch.setattr(guard.subprocess, "run", engines)
    with pytest.raises(guard.Refused, match="theirs"):
        guard.guard(context, command)
    assert {asked[0] for asked in engines.asked} == {engine}


@pytest.mark.parametrize("command", [
    ["volume", "create", "theirs_data"],
    ["volume", "create", "--label", "a=b", "theirs_data"],
    ["volume", "create", "--name", "theirs_data"],
])
def test_creating_a_volume_that_someone_already_has_is_refused(context, engines, command):
    """`docker volume create` answers with the existing volume, unlabelled: the page would
    then write into someone's data."""
    with pytest.raises(guard.Refused, match="volume theirs_data already exists"):
        guard.guard(context, command)


def test_a_new_volume_is_labelled_after_the_guard_found_none_of_its_name(context, engines):
    command = ["volume", "create", "--label", "a=b", "fresh"]
    assert guard.guard(context, command) == ["volume", "create", *LABELS, "--label", "a=b",
                                             "fresh"]


@pytest.mark.parametrize("command", [
    ["run", "--rm", "-v", "theirs_data:/data", "debian", "rm", "-rf", "/data"],
    ["run", "--rm", "--name", "x", "--volume=theirs_data:/data:ro", "debian", "true"],
    ["create", "-itv", "theirs_data:/data", "debian"],
    ["run", "--mount", "type=volume,source=theirs_data,target=/data", "debian", "true"],
    ["container", "run", "--mount", "src=theirs_data,dst=/data", "debian", "true"],
    ["run", "--rm", "--volumes-from", "theirs-db-1", "debian", "true"],
])
def test_a_container_of_the_page_never_mounts_someone_elses_volume(context, engines, command):
    with pytest.raises(guard.Refused, match="theirs"):
        guard.guard(context, command)


@pytest.mark.parametrize("command", [
    ["run", "--rm", "-v", "/tmp/x:/data", "-v", "/anon", "debian", "true"],
    ["run", "--rm", "-v", "fresh:/data", "debian", "ls", "-v", "theirs_data:/data"],
    ["run", "--rm", "--mount", "type=bind,src=/tmp,dst=/data", "debian", "true"],
])
def test_binds_new_volumes_and_the_containers_own_arguments_are_not_mounts(
        context, engines, command):
    at = 2 if command[0] == "container" else 1
    assert guard.guard(context, command) == command[:at] + LABELS + command[at:]


@pytest.mark.parametrize("command", [["buildx", "prune", "-af"], ["buildx", "du"]])
def test_buildx_prune_is_refused_as_builder_prune_is(context, command):
    if command[1] == "prune":
        with pytest.raises(guard.Refused, match="acts on the whole engine"):
            guard.guard(context, command)
    else:
        assert guard.guard(context, command) == command


def test_a_volume_the_engine_makes_for_a_page_s_container_is_noted_for_the_cleanup(
        context, engines):
    """`docker run -v fresh:/data` makes `fresh` (with no label): noted, so that the
    cleanup removes it, and the page may mount it again."""
    guard.guard(context, ["run", "--rm", "-v", "fresh:/data", "debian", "true"])
    assert guard._noted_mounts(context) == {"fresh"}
    guard.guard(context, ["run", "--rm", "--mount", "src=fresh,dst=/data", "debian", "true"])


@pytest.mark.parametrize("rest", [
    ["-d", "--name", "web", "-p", "8000:80", "nginx"],
    ["-e", "A=1", "--publish=127.0.0.1:8000:80", "nginx", "-p", "9000:9000"],
    ["-dp", "8000:80", "nginx"],
    ["-dp8000:80", "nginx"],
    ["-p8000:80", "--name", "-p", "nginx"],
    ["-it", "-ep=1", "-dp", "127.0.0.1:8000:80", "nginx", "-p", "9000:9000"],
])
def test_an_isolated_run_publishes_the_forwarders_port_whatever_comes_before(
        context, monkeypatch, rest):
    """`docker run --name web -p 8000:80`: the port after an option's value, or in short
    options run together (`-dp 8000:80`), is the page's too (not the host's own 8000,
    where someone's stack may listen); the image's own arguments are left as written."""
    monkeypatch.setattr(guard.forwarder, "allocate", lambda control, ip, port: port - 5000)
    translated = guard._publish_translated(context, rest)
    assert "3000:80" in " ".join(translated) and "8000" not in " ".join(translated)
    assert len(translated) == len(rest)
    assert translated[translated.index("nginx"):] == rest[rest.index("nginx"):]


class EnginesWithAnExternalVolume(Engines):
    """The page's Compose file declares someone's volume `theirs_data` external."""

    def _answer(self, engine: str, args: list[str]) -> str:
        if "config" in args and "--no-interpolate" not in args:
            return json.dumps({"name": _project(args), "services": {"app": {"image": "x"}},
                               "volumes": {"data": {"name": "theirs_data", "external": True},
                                           "own": {"name": f"{_project(args)}_own"}}})
        return super()._answer(engine, args)


@pytest.mark.parametrize("command", [
    ["compose", "up", "-d"], ["compose", "run", "--rm", "app", "true"],
    ["compose", "-p", "page", "create"],
])
def test_a_compose_project_never_mounts_someone_elses_volume_declared_external(
        context, monkeypatch, command):
    """Compose mounts an `external: true` volume as it is: the page's containers would
    write into someone's data."""
    monkeypatch.setattr(guard.subprocess, "run", EnginesWithAnExternalVolume("default"))
    with pytest.raises(guard.Refused, match="volume theirs_data was not created by this run"):
        guard.guard(context, command)


def test_an_external_volume_only_matters_to_commands_that_start_containers(
        context, monkeypatch):
    monkeypatch.setattr(guard.subprocess, "run", EnginesWithAnExternalVolume("default"))
    assert guard.guard(context, ["compose", "down"]) == ["compose", "down"]
    monkeypatch.setattr(guard.subprocess, "run", EnginesWithAnExternalVolume())  # none there
    assert guard.guard(context, ["compose", "up", "-d"]) == ["compose", "up", "-d"]


IMAGES = {  # reference -> (id, labels) as `docker image inspect` shows them
    "theirs/app:1": ("sha256:theirs", None),
    "papertrade/db:17": ("sha256:readers", {"org.opencontainers.image.title": "db"}),
    "tls-probe/python-builder:latest": ("sha256:composed", {"com.docker.compose.project": "page"}),
    "127.0.0.1:5000/papertrade/backend:2": ("sha256:pagebuilt", None),
}


@pytest.fixture
def images(monkeypatch):
    def docker(command, **_):
        reference = command[-1]
        if command[1:3] == ["image", "inspect"] and reference in IMAGES:
            image, labels = IMAGES[reference]
            return subprocess.CompletedProcess(command, 0, f"{image}\t{json.dumps(labels)}\n", "")
        return subprocess.CompletedProcess(command, 1, "", f"No such image: {reference}")
    monkeypatch.setattr(guard.subprocess, "run", docker)


@pytest.mark.parametrize("command", [
    ["rmi", "theirs/app:1"], ["image", "rm", "-f", "papertrade/db:17"],
    ["image", "remove", "tls-probe/python-builder:latest", "theirs/app:1"],
])
def test_an_image_the_run_did_not_build_is_not_removed(context, images, command):
    """A reader's own image of a name a page also uses stays theirs."""
    context.own_project("page")
    with pytest.raises(guard.Refused, match="image (theirs/app:1|papertrade/db:17) was not built"):
        guard.guard(context, command)


def test_an_image_the_run_built_may_be_removed(context, images, tmp_path):
    """Its Compose project's build, an image a tag of the page's held, a tag in the page's
    own namespace, or no such image at all (the command fails on its own)."""
    context.own_project("page")
    context.built_ids_file = str(tmp_path / "built-ids")
    (tmp_path / "built-ids").write_text("sha256:pagebuilt\n")
    context.images = guard.translate.Names(str(tmp_path / "images.json"))
    context.images.record("papertrade", "pk3j9xq2zm")
    for command in (["rmi", "tls-probe/python-builder:latest"],
                    ["image", "rm", "127.0.0.1:5000/papertrade/backend:2"],
                    ["rmi", "pk3j9xq2zm/backend:dev"], ["rmi", "gone:1"]):
        assert guard.guard(context, command) == command


@pytest.mark.parametrize("first", [
    "rmi", "rm", "exec", "stop", "kill", "run", "create", "cp", "tag", "commit", "update",
    "container", "volume", "network", "image", "system", "builder", "buildx", "compose",
    "swarm", "service", "stack", "secret", "node", "config",
])
def test_each_command_the_guard_has_rules_for_reaches_it_without_isolation(first):
    """Without isolation the page's `docker` sends only these to the guard (the rest goes
    straight to the CLI): a command missing here would never be refused (`docker rmi`
    was)."""
    from execdocs import cleanup
    assert first in cleanup._GUARDED.split()
