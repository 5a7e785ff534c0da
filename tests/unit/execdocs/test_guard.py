"""The guard's reading of docker command lines (what it acts on), without an engine. What
it refuses on a real engine is tested in tests/container/test_execdocs_safety.py."""

from __future__ import annotations

import json

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
