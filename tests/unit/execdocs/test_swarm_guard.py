"""The guard's reading of swarm commands, against a scripted engine (no Docker). What it
does on a real swarm is tested in tests/container/test_execdocs_swarm.py."""

from __future__ import annotations

import json
import subprocess

import pytest

from execdocs import guard, swarm_guard

LABELS = ["--label", "io.execdocs.run=123-abcd", "--label", "io.execdocs.host=h",
          "--label", "io.execdocs.uid=0"]


class Engine:
    """Answers the guard's queries: `docker info`, `service ls`, `inspect`."""

    def __init__(self, state="inactive", node="node1", services=(), labels=None):
        self.state, self.node, self.services = state, node, list(services)
        self.labels = labels or {}  # name -> labels, for inspect
        self.gwbridge = ""  # the id of the engine's docker_gwbridge ("" for none)
        self.asked: list[tuple[str, ...]] = []

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.asked.append(args)
        if args[:1] == ("info",):
            answer = self.state if "LocalNodeState" in args[-1] else (
                self.node if self.state == "active" else "")
        elif args[:2] == ("service", "ls"):
            wanted = [a.split("=", 2)[-1] for a in args if a.startswith("label=")]
            rows = [s for s in self.services if not wanted or s[1] == wanted[0]]
            answer = "\n".join(f"{n}\t{stack}\t{run}" if "--filter" not in args else n
                               for n, stack, run in rows)
        elif args[:2] == ("network", "ls"):
            answer = "\n".join(f"{ident}\t{name}" for ident, name in
                               (("b1", "bridge"), (self.gwbridge, "docker_gwbridge")) if ident)
        elif len(args) > 1 and args[1] == "inspect":
            answer = "\n".join(f"{name}\t{json.dumps(self.labels.get(name, {}))}"
                               for name in args[4:])
        else:
            answer = ""
        return subprocess.CompletedProcess(args, 0, answer, "")


@pytest.fixture
def context(tmp_path):
    (tmp_path / "run" / "pages" / "001").mkdir(parents=True)
    values = {"real": "/nonexistent/docker", "run": "123-abcd", "host": "h", "uid": "0",
              "copy": str(tmp_path / "copy"), "page_directory": str(tmp_path / "run/pages/001"),
              "owned": str(tmp_path / "run" / "owned-projects"),
              "noted": str(tmp_path / "noted"), "mounts": str(tmp_path / "mounts"),
              "refused": str(tmp_path / "refused"),
              "labels": {"run": "io.execdocs.run", "host": "io.execdocs.host",
                         "uid": "io.execdocs.uid"}}
    context = guard.Context(values)
    context.docker = Engine()
    return context


def test_what_a_page_creates_on_a_swarm_is_labelled(context):
    for kind in ("service", "secret", "config"):
        command = [kind, "create", "--name", "x", "img"]
        assert guard.guard(context, command) == [kind, "create", *LABELS, "--name", "x", "img"]


def test_a_swarm_the_run_initialised_is_noted_with_its_node(context):
    guard.guard(context, ["swarm", "init"])
    context.docker.state = "active"
    swarm_guard.note_initialised(context)
    assert swarm_guard.initialised_node(context) == "node1"
    assert guard.guard(context, ["swarm", "leave", "--force"]) == ["swarm", "leave", "--force"]


def test_a_swarm_found_active_is_never_left(context):
    context.docker.state = "active"
    guard.guard(context, ["swarm", "init"])  # docker itself answers: already in a swarm
    swarm_guard.note_initialised(context)
    assert swarm_guard.initialised_node(context) == ""
    with pytest.raises(guard.Refused, match="not initialised by this run"):
        guard.guard(context, ["swarm", "leave", "--force"])


def test_the_run_leaves_its_swarm_only_while_nothing_on_it_is_someone_elses(context):
    guard.guard(context, ["swarm", "init"])
    context.docker.state = "active"
    swarm_guard.note_initialised(context)
    context.docker.services = [("theirs_web", "theirs", "")]
    with pytest.raises(guard.Refused, match=r"services this run did not create \(theirs_web\)"):
        guard.guard(context, ["swarm", "leave", "--force"])


def _node_updates(engine: Engine) -> list[tuple[str, ...]]:
    return [asked for asked in engine.asked if asked[:2] == ("node", "update")]


def test_an_init_on_an_engine_with_no_docker_gwbridge_is_noted_on_its_node(context):
    guard.guard(context, ["swarm", "init"])  # the engine has no docker_gwbridge yet
    context.docker.state, context.docker.gwbridge = "active", "gw2"  # the swarm made one
    swarm_guard.note_initialised(context)
    assert _node_updates(context.docker) == [(
        "node", "update", "--label-add", "io.execdocs.run=123-abcd",
        "--label-add", "io.execdocs.gwbridge=created", "node1")]


def test_a_docker_gwbridge_the_engine_had_before_the_init_is_not_the_swarms(context):
    context.docker.gwbridge = "gw1"  # left by an earlier swarm: the engine's, it stays
    guard.guard(context, ["swarm", "init"])
    context.docker.state = "active"
    swarm_guard.note_initialised(context)
    assert _node_updates(context.docker) == [(
        "node", "update", "--label-add", "io.execdocs.run=123-abcd", "node1")]


@pytest.mark.parametrize(("before", "makes"), [
    ("none", True),  # the engine said it had none: the one after is the swarm's
    ("gw1", False),  # the engine's own
    ("unknown", False),  # the engine did not say: never taken as none
    ("", False),  # never asked
])
def test_the_docker_gwbridge_is_the_swarms_only_when_the_engine_had_none(before, makes):
    assert swarm_guard.swarm_makes_gwbridge(before) is makes


@pytest.mark.parametrize(("created", "current", "attached", "state", "removable"), [
    (True, "gw2", 0, "inactive", True),  # the swarm's, unused, the swarm left
    (False, "gw1", 0, "inactive", False),  # there before the run's init: the engine's
    (True, "", 0, "inactive", False),  # already gone
    (True, "gw2", 1, "inactive", False),  # a container still uses it
    (True, "gw2", 0, "active", False),  # the engine is in a swarm (again): it needs it
])
def test_the_docker_gwbridge_is_removed_after_leaving_only_when_the_swarm_made_it(
        created, current, attached, state, removable):
    assert swarm_guard.gwbridge_removable(created, current, attached, state) is removable


@pytest.mark.parametrize("command", [
    ["swarm", "join", "--token", "t", "10.0.0.1:2377"], ["swarm", "update", "--autolock"],
    ["swarm", "join-token", "--rotate", "worker"], ["node", "rm", "n"],
    ["node", "update", "--availability", "drain", "n"],
])
def test_changes_to_the_swarm_or_its_nodes_are_refused(context, command):
    with pytest.raises(guard.Refused):
        guard.guard(context, command)


def test_a_stack_deployed_by_the_run_is_its_own_and_someone_elses_is_refused(context):
    context.docker.state = "active"
    deploy = ["stack", "deploy", "-c", "stack.yaml", "mine"]
    assert guard.guard(context, deploy) == deploy
    assert swarm_guard.owned_stacks(context) == {"mine"}
    assert guard.guard(context, ["stack", "rm", "mine"]) == ["stack", "rm", "mine"]
    context.docker.services = [("theirs_web", "theirs", "")]
    with pytest.raises(guard.Refused, match="already deployed on this swarm, not by this run"):
        guard.guard(context, ["stack", "deploy", "-c", "stack.yaml", "theirs"])
    with pytest.raises(guard.Refused, match="not deployed by this run"):
        guard.guard(context, ["stack", "rm", "theirs"])


@pytest.mark.parametrize("command", [
    ["service", "rm", "theirs_web"], ["service", "scale", "theirs_web=0"],
    ["service", "update", "--image", "x:2", "--env-add", "A=1", "theirs_web"],
    ["service", "rollback", "theirs_web"], ["secret", "rm", "theirs_password"],
    ["config", "rm", "theirs_conf"],
])
def test_a_page_cannot_change_a_service_secret_or_config_it_did_not_create(context, command):
    context.docker.labels = {command[-1].partition("=")[0]: {
        "com.docker.stack.namespace": "theirs"}}
    with pytest.raises(guard.Refused, match="was not created by this run"):
        guard.guard(context, command)


def test_services_of_the_runs_stacks_may_be_updated_and_scaled(context):
    guard.guard(context, ["stack", "deploy", "-c", "s.yaml", "mine"])
    context.docker.labels = {"mine_web": {"com.docker.stack.namespace": "mine"}}
    for command in (["service", "scale", "mine_web=3"],
                    ["service", "update", "--detach=false", "--image", "x:2", "mine_web"]):
        assert guard.guard(context, command) == command


def test_reading_commands_pass_unchanged(context):
    for command in (["service", "ls"], ["service", "ps", "x"], ["service", "logs", "x"],
                    ["stack", "ls"], ["secret", "ls"], ["node", "ls"],
                    ["swarm", "join-token", "worker"]):
        assert guard.guard(context, command) == command


def test_image_references_in_a_stack_file_become_the_pages_own():
    text = "services:\n  web:\n    image: papertrade/backend:2\n  db:\n    image: other:1\n"
    built = {"papertrade/backend:2": "pk3j9xq2zm/backend:2"}
    replaced = swarm_guard._images_replaced(text, built)
    assert "image: pk3j9xq2zm/backend:2" in replaced and "image: other:1" in replaced


def test_an_isolated_page_creates_secrets_and_services_under_names_of_its_own(context, tmp_path):
    context.isolated = True
    context.names = guard.translate.Names(str(tmp_path / "names.json"))
    created = guard.guard(context, ["secret", "create", "--label", "a=b", "db_password", "f"])
    engine = created[-2]
    assert engine != "db_password" and len(engine) == len("db_password")
    assert created == ["secret", "create", *LABELS, "--label", "a=b", engine, "f"]
    service = guard.guard(context, ["service", "create", "--name", "worker", "--secret",
                                    "db_password", "img"])
    assert service[service.index("--name") + 1] != "worker"
    assert service[service.index("--secret") + 1] == engine  # the page's own secret


@pytest.mark.parametrize("command", [
    ["service", "update", "--force", "-dq", "theirs_web"],  # -d -q, flags run together
    ["service", "update", "-qd", "--force", "theirs_web"],
])
def test_flags_run_together_do_not_hide_the_service(context, command):
    context.docker.labels = {"theirs_web": {"com.docker.stack.namespace": "theirs"}}
    with pytest.raises(guard.Refused, match="service theirs_web was not created by this run"):
        guard.guard(context, command)


def test_a_new_cluster_is_never_forced_from_someone_elses_swarm(context):
    """`swarm init --force-new-cluster` on an engine already in a swarm remakes that
    swarm (its other managers dropped): not the run's to do."""
    context.docker.state = "active"
    with pytest.raises(guard.Refused, match="force-new-cluster"):
        guard.guard(context, ["swarm", "init", "--force-new-cluster"])
