"""What the runner asks the engine, through the Docker SDK: an engine that does not answer
(a socket where none listens, no Docker needed) is one line saying what to do; the SDK's
answers are read as the cleanup expects. Where a test needs an engine's answers, a fake
stands in for the SDK client's low-level API, its boundary; the real path is covered by
tests/container/test_execdocs_cleanup.py and test_execdocs_safety.py."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docker
import pytest
import requests
from engine_fakes import engine_with

import execdocs
from execdocs.docker_engine import (
    PROJECT_LABEL,
    RUN_LABEL,
    Engine,
    EngineError,
    Resource,
    Swarm,
    docker_client,
)
from execdocs.recordings import Machine


@pytest.fixture
def silent_engine(tmp_path, monkeypatch):
    """DOCKER_HOST naming a socket where nothing listens."""
    socket = tmp_path / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    return socket


def test_no_engine_answering_is_one_line_saying_where_and_what_to_do(silent_engine):
    with pytest.raises(EngineError) as raised:
        docker_client()
    message = str(raised.value)
    assert "\n" not in message
    assert f"no Docker engine answers at unix://{silent_engine}" in message
    assert "(No such file or directory)" in message
    assert "start the engine" in message


def test_a_runner_query_with_no_engine_answering_is_an_error_not_nothing(silent_engine):
    engine = Engine(docker="/usr/bin/docker")  # a CLI, so pages could have made something
    with pytest.raises(EngineError, match="no Docker engine answers"):
        engine.resources("container", RUN_LABEL)


def test_without_the_sdk_installed_the_error_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "docker", None)  # `import docker` raises ImportError
    with pytest.raises(EngineError, match=r"the `docker` package\) is not installed"):
        docker_client()


class Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the engine was asked ({name}) with no docker CLI configured")


def test_with_no_docker_cli_every_query_answers_nothing_without_asking():
    engine = Engine.absent()
    engine._client = Untouchable()
    assert engine.resources("volume", RUN_LABEL) == []
    assert engine.dangling_volumes({"v"}) == []
    assert engine.images_in({"ns"}) == []
    engine.remove([Resource("volume", "v", {})])
    engine.remove_untagged({"sha256:abc"})
    assert Swarm(engine).node_id() == ""
    assert engine.compose_report("p", 5) == ""
    assert Machine.of(engine).engine == "no Docker engine"



def test_resources_carry_only_the_labels_read_back():
    labels = {RUN_LABEL: "1-a", PROJECT_LABEL: "", "other": "x"}
    engine, api = engine_with(containers=[{"Id": "c" * 64, "Labels": labels}],
                              networks=[{"Id": "n1", "Labels": None}],
                              volumes={"Volumes": None})
    assert engine.resources("container", RUN_LABEL) == [
        Resource("container", "c" * 64, {RUN_LABEL: "1-a"})]
    assert engine.resources("network", f"{RUN_LABEL}=1-a") == [Resource("network", "n1", {})]
    assert engine.resources("volume", RUN_LABEL) == []
    assert api.calls == [("containers", ("all", True), ("filters", {"label": RUN_LABEL})),
                         ("networks", ("filters", {"label": f"{RUN_LABEL}=1-a"})),
                         ("volumes", ("filters", {"label": RUN_LABEL}))]


def test_removal_goes_containers_first_and_passes_over_what_is_gone():
    engine, api = engine_with(remove_network=docker.errors.NotFound("no such network"))
    engine.remove([Resource("volume", "v", {}), Resource("network", "n", {}),
                   Resource("container", "c", {})])
    assert api.calls == [("remove_container", "c", ("force", True), ("v", True)),
                         ("remove_network", "n"), ("remove_volume", "v", ("force", True))]


def test_an_engine_that_stops_answering_midway_is_one_line():
    engine, _ = engine_with(remove_container=requests.exceptions.ConnectionError(
        "('Connection aborted.', ConnectionRefusedError(111, 'Connection refused'))"))
    with pytest.raises(EngineError) as raised:
        engine.remove([Resource("container", "c", {})])
    assert str(raised.value) == ("the Docker engine stopped answering (Connection refused): "
                                 "is it still running?")


def test_images_in_a_namespace_by_their_tags():
    engine, _ = engine_with(images=[
        {"RepoTags": ["p7k2m9x4qa/backend:dev", "papertrade/backend:dev"]},
        {"RepoTags": None}, {"RepoTags": ["<none>:<none>"]}, {"RepoTags": ["p7k2m9x4qa:1"]},
        {"RepoTags": ["localhost:5000/p7k2m9x4qa:1"]}])
    assert engine.images_in({"p7k2m9x4qa"}) == ["p7k2m9x4qa/backend:dev", "p7k2m9x4qa:1"]


def test_the_tags_a_projects_builds_hold():
    engine, _ = engine_with(images=[
        {"RepoTags": ["lab/base:latest", "lab/base:1"], "Labels": {PROJECT_LABEL: "p1"}},
        {"RepoTags": ["<none>:<none>"], "Labels": {PROJECT_LABEL: "p1"}},
        {"RepoTags": ["lab/base:2"], "Labels": {PROJECT_LABEL: "someone"}},
        {"RepoTags": ["plain:1"], "Labels": None}])
    assert engine.tags_built_by({"p1"}) == ["lab/base:latest", "lab/base:1"]
    assert engine.tags_built_by(set()) == []


def test_only_untagged_images_are_deleted():
    shown = {"sha256:a": {"Id": "sha256:a", "RepoTags": []},
             "sha256:b": {"Id": "sha256:b", "RepoTags": ["someone/else:1"]}}

    def inspect(identifier):
        if identifier not in shown:
            raise docker.errors.ImageNotFound(identifier)
        return shown[identifier]

    engine, api = engine_with(inspect_image=inspect)
    engine.remove_untagged({"sha256:a", "sha256:b", "sha256:gone"})
    assert [call for call in api.calls if call[0] == "remove_image"] == [
        ("remove_image", "sha256:a")]


def test_networks_and_volumes_made_before_the_run_are_kept():
    engine, _ = engine_with(
        inspect_network=lambda i: {"Created": {"old": "2026-11-30T10:00:00.123456789Z",
                                               "new": "2026-11-30T12:00:00.5+01:00"}[i]},
        inspect_volume=docker.errors.NotFound("gone"))
    since = datetime(2026, 11, 30, 11, tzinfo=UTC).timestamp()
    resources = [Resource("network", "old", {}), Resource("network", "new", {}),
                 Resource("volume", "gone", {}), Resource("container", "c", {})]
    assert [r.id for r in engine.created_since(resources, since)] == ["c", "new"]


def test_a_swarm_is_left_only_while_nothing_on_it_is_anyone_elses():
    services = [{"Spec": {"Name": "mine", "Labels": {RUN_LABEL: "1-a"}}},
                {"Spec": {"Name": "users", "Labels": {}}}]
    engine, api = engine_with(info={"Swarm": {"NodeID": "node1"}}, services=services,
                              leave_swarm=True)
    assert not Swarm(engine).leave_if_initialised("node1", set(), "1-a")
    services.pop()
    assert Swarm(engine).leave_if_initialised("node1", set(), "1-a")
    assert ("leave_swarm", ("force", True)) in api.calls


def test_a_node_that_is_no_manager_lists_no_swarm_objects():
    refused = docker.errors.APIError("This node is not a swarm manager.")
    engine, _ = engine_with(info={"Swarm": {"NodeID": "node1"}}, services=refused,
                            secrets=refused, configs=refused, networks=[])
    assert Swarm(engine).remove(set(), "1-a") == []


def test_the_recorded_machine_says_when_the_engine_did_not_answer(silent_engine):
    assert Machine.of(Engine(docker="/usr/bin/docker")).engine == "Docker Engine (version unknown)"


def test_a_run_with_no_engine_answering_stops_with_one_line(tmp_path, silent_engine):
    bin_directory = tmp_path / "bin"  # a docker CLI on PATH: pages could use an engine
    bin_directory.mkdir()
    (bin_directory / "docker").write_text("#!/bin/sh\nexit 1\n")
    (bin_directory / "docker").chmod(0o755)
    (tmp_path / "page.md").write_text("```console\n$ true\n```\n")
    env = {**os.environ, "PATH": f"{bin_directory}:{os.environ['PATH']}",
           "PYTHONPATH": str(Path(execdocs.__file__).parents[1]), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "execdocs", "run", "page.md"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"execdocs: no Docker engine answers at unix://{silent_engine} (No such file or "
        "directory): start the engine, or point DOCKER_HOST or `docker context use` at one "
        "that runs"]
