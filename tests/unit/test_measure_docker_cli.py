"""The measurement asks the engine through the Docker SDK: with no engine answering (a
socket where none listens, no Docker needed), it stops with one line that says what to do
here."""

from __future__ import annotations

import pytest

from papertrade_docs.measure import docker_cli


@pytest.fixture
def silent_engine(tmp_path, monkeypatch):
    socket = tmp_path / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    docker_cli._client.cache_clear()
    yield socket
    docker_cli._client.cache_clear()


def test_no_engine_answering_stops_the_measurement_with_what_to_do(silent_engine):
    with pytest.raises(docker_cli.DockerError) as raised:
        docker_cli.inspect_image("debian:trixie-slim")
    assert str(raised.value) == (
        f"no Docker engine answers at unix://{silent_engine} (No such file or directory): "
        "start the engine, or point DOCKER_HOST or `docker context use` at one that runs "
        "(here, `make provision` sets it up and starts it)")
