"""The Docker SDK's low-level API faked at its boundary, for unit tests with no engine."""

from __future__ import annotations

from execdocs.docker_engine import Engine


class FakeAPI:
    """The SDK's low-level API (`client.api`) as the engine answers it, recording calls."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls: list[tuple] = []
        self.api = self  # also the client: `client.api` is itself

    def _answer(self, name, *args, **kwargs):
        self.calls.append((name, *args, *sorted(kwargs.items())))
        answer = self.answers.get(name)
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._answer(name, *args, **kwargs)


def engine_with(**answers) -> tuple[Engine, FakeAPI]:
    """An engine (a docker CLI found, the SDK faked) answering `answers`, and its fake."""
    api = FakeAPI(**answers)
    return Engine(docker="/usr/bin/docker", client=api), api


def engine_running(names: list[str]) -> Engine:
    """An engine whose running containers are `names` (someone else's: no run's label),
    in no swarm, with nothing else on it."""
    running = [{"Id": f"{index:064x}", "Names": [f"/{name}"], "Labels": {}}
               for index, name in enumerate(names)]
    engine, _ = engine_with(
        containers=lambda *args: running, networks=[], volumes={"Volumes": []}, images=[],
        info={"Swarm": {"LocalNodeState": "inactive", "NodeID": ""}},
        version={"Version": "28.0", "Os": "linux", "Arch": "amd64"})
    return engine
