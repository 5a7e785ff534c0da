"""What the runner asks the Docker engine: what exists, remove it, and Compose diagnostics.

Resources are found by label: `io.execdocs.run` (added by the docker shim, see
`execdocs.cleanup`) and Compose's own `com.docker.compose.project[.working_dir]`.
Queries and removals go through the Docker SDK for Python (one HTTP request each on the
engine's socket, no CLI process); Compose and `docker stack rm`, which are the CLI's own,
go through the docker CLI. Without a docker CLI on PATH the pages can create nothing, so
every query answers "nothing"; with one, an engine that does not answer is an error.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from execdocs import swarm_guard

RUN_LABEL = "io.execdocs.run"
HOST_LABEL = "io.execdocs.host"
UID_LABEL = "io.execdocs.uid"  # the user whose run created it: only theirs reap it
PROJECT_LABEL = "com.docker.compose.project"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
KINDS = ("container", "network", "volume")
LABELS = (RUN_LABEL, HOST_LABEL, UID_LABEL, PROJECT_LABEL, WORKING_DIR_LABEL)  # the ones read back
_QUERY_TIMEOUT = 60


class EngineError(Exception):
    pass


def docker_client(timeout: int = _QUERY_TIMEOUT) -> Any:
    """A Docker SDK client for the engine the docker CLI would use (DOCKER_HOST, else the
    current `docker context`), once the engine has answered; else one line saying why."""
    try:
        import docker
    except ImportError:
        raise EngineError("the Docker SDK for Python (the `docker` package) is not "
                          "installed: install this project's dependencies") from None
    try:
        return docker.from_env(timeout=timeout)  # asks the engine its API version
    except docker.errors.DockerException as error:
        raise EngineError(f"no Docker engine answers at {_engine_address()} "
                          f"({_reason(error)}): start the engine, or point DOCKER_HOST "
                          "or `docker context use` at one that runs") from None


def _engine_address() -> str:
    import docker

    try:
        found = (docker.utils.kwargs_from_env().get("base_url")
                 or docker.ContextAPI.kwargs_from_context().get("base_url"))
    except docker.errors.DockerException:
        found = None
    return found or "the default socket"


def _reason(error: Exception) -> str:
    """What the connection said, without the layers of wrapping around it."""
    text = str(error)
    for pattern in (r"\[Errno -?\d+\] ([^\"'\])]+)", r"Error\(-?\d+, '([^']+)'\)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip()
    return text.removeprefix("Error while fetching server API version: ")


@contextlib.contextmanager
def engine_api(client: Any) -> Iterator[Any]:
    """`client`'s low-level API, for the calls in the `with` block: an engine that stopped
    answering, or refused a call, is an `EngineError` of one line, not a traceback."""
    import docker
    import requests

    try:
        yield client.api
    except docker.errors.APIError as error:
        raise EngineError(f"the Docker engine refused: {error.explanation}") from None
    except (requests.exceptions.RequestException, docker.errors.DockerException) as error:
        raise EngineError(f"the Docker engine stopped answering ({_reason(error)}): "
                          "is it still running?") from None


@dataclass(frozen=True)
class Resource:
    kind: str  # container, network or volume
    id: str
    labels: dict[str, str]


class Engine:
    """The engine, through the Docker SDK (connected at the first query); and the docker
    CLI found on PATH when the runner started (not the page's shim), for the shim and
    Compose."""

    def __init__(self, docker: str | None = None, client: Any = None):
        self.docker = docker or shutil.which("docker")
        self._client = client

    @classmethod
    def absent(cls) -> Engine:
        """An engine-less setting: every query answers nothing (for pages without Docker)."""
        engine = cls()
        engine.docker = None
        return engine

    @property
    def available(self) -> bool:
        return self.docker is not None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = docker_client()
        return self._client

    def resources(self, kind: str, label: str) -> list[Resource]:
        """Every `kind` carrying `label` (any value), with its labels."""
        if not self.available:
            return []
        filters = {"label": label}
        with self._asking() as api:
            if kind == "container":
                listed = [(c["Id"], c.get("Labels"))
                          for c in api.containers(all=True, filters=filters)]
            elif kind == "network":
                listed = [(n["Id"], n.get("Labels")) for n in api.networks(filters=filters)]
            else:
                volumes = api.volumes(filters=filters).get("Volumes") or []
                listed = [(v["Name"], v.get("Labels")) for v in volumes]
        return [Resource(kind, identifier, {key: value for key, value in (labels or {}).items()
                                            if key in LABELS and value})
                for identifier, labels in listed]

    def running_others(self, run_id: str) -> list[str]:
        """Names of the running containers that are not run `run_id`'s, sorted."""
        if not self.available:
            return []
        with self._asking() as api:
            running = api.containers()
        return sorted(name.lstrip("/") for container in running
                      if (container.get("Labels") or {}).get(RUN_LABEL) != run_id
                      for name in (container.get("Names") or [])[:1])

    def remove(self, resources: list[Resource]) -> None:
        """Remove resources: containers first (with their anonymous volumes), then the
        networks and volumes they used. Already gone is fine, and so is one the engine
        refuses to remove (in use by a container that is not the run's): it stays."""
        removers = {"container": lambda api, i: api.remove_container(i, v=True, force=True),
                    "network": lambda api, i: api.remove_network(i),
                    "volume": lambda api, i: api.remove_volume(i, force=True)}
        for kind in KINDS:
            for resource in (r for r in resources if r.kind == kind):
                self._tolerant(removers[kind], resource.id)

    def created_since(self, resources: list[Resource], since: float) -> list[Resource]:
        """The networks and volumes among `resources` created at or after `since` (a Unix
        time; the engine keeps volume times to the second). Containers pass unchecked."""
        kept = [r for r in resources if r.kind == "container"]
        inspectors = {"network": lambda api, i: api.inspect_network(i)["Created"],
                      "volume": lambda api, i: api.inspect_volume(i)["CreatedAt"]}
        for kind, created_of in inspectors.items():
            for resource in (r for r in resources if r.kind == kind):
                created = self._tolerant(created_of, resource.id)
                if created and _unix_time(created) >= math.floor(since):
                    kept.append(resource)
        return kept

    def dangling_volumes(self, names: set[str]) -> list[Resource]:
        """The volumes among `names` that still exist and that no container uses."""
        if not self.available or not names:
            return []
        with self._asking() as api:
            volumes = api.volumes(filters={"dangling": True}).get("Volumes") or []
        listed = {volume["Name"] for volume in volumes}
        return [Resource("volume", name, {}) for name in sorted(names & listed)]

    def images_in(self, namespaces: set[str]) -> list[str]:
        """Tags (`repository:tag`) whose repository is one of `namespaces` or inside one."""
        if not self.available or not namespaces:
            return []
        with self._asking() as api:
            images = api.images()
        tags = [tag for image in images for tag in image.get("RepoTags") or []]
        return [tag for tag in tags
                if tag.rpartition(":")[0] in namespaces or tag.partition("/")[0] in namespaces]

    def remove_images(self, tags: list[str]) -> None:
        """Untag (and so delete, when no other tag holds it) each image; the layers the
        build cache holds stay."""
        for tag in tags:
            self._tolerant(lambda api, reference: api.remove_image(reference), tag)

    def tags_built_by(self, projects: set[str]) -> list[str]:
        """Tags held by images a build of one of the Compose `projects` made: an image a
        page builds under the reader's name (another Dockerfile starts FROM it), which
        the page did not get to remove itself."""
        if not self.available or not projects:
            return []
        with self._asking() as api:
            images = api.images()
        return [tag for image in images
                if (image.get("Labels") or {}).get(PROJECT_LABEL) in projects
                for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]

    def untagged_built_by(self, projects: set[str]) -> set[str]:
        """Ids of the untagged images a build of one of the Compose `projects` made (Compose
        labels what it builds with its project)."""
        if not self.available or not projects:
            return set()
        with self._asking() as api:
            images = api.images(filters={"dangling": True})
        return {image["Id"] for image in images
                if (image.get("Labels") or {}).get(PROJECT_LABEL) in projects}

    def remove_untagged(self, ids: set[str]) -> None:
        """Delete each of the images `ids` that no tag holds any more (an image that is
        still tagged is someone's: it stays, and so does one a container uses)."""
        if not self.available:
            return
        for image in sorted(ids):
            shown = self._tolerant(lambda api, i: api.inspect_image(i), image)
            if shown is not None and not shown.get("RepoTags"):
                self._tolerant(lambda api, i: api.remove_image(i), shown["Id"])

    def compose_report(self, project: str, log_lines: int) -> str:
        """`docker compose ps` and the last log lines of each service of `project`."""
        if not self.available:
            return ""
        parts = []
        for title, args in (("docker compose ps", ["ps", "-a"]),
                            (f"docker compose logs --tail {log_lines}",
                             ["logs", "--no-color", "--tail", str(log_lines)])):
            shown = self._run(["compose", "-p", project, *args]).stdout
            parts.append(f"$ {title}  (project {project})\n{shown.rstrip()}")
        return "\n".join(parts)

    def _asking(self) -> contextlib.AbstractContextManager[Any]:
        return engine_api(self.client)

    def _tolerant(self, call, identifier: str) -> Any:
        """`call(api, identifier)`, or None when the engine says no (not found, in use)."""
        if not self.available:
            return None
        with self._asking() as api:
            import docker

            try:
                return call(api, identifier)
            except docker.errors.APIError:
                return None

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        # Run outside any project directory, so Compose reads no compose file and acts on
        # the project by name; and without the caller's COMPOSE_* settings.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
        return subprocess.run(
            [self.docker, *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, cwd="/", timeout=_QUERY_TIMEOUT,
        )


def _unix_time(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 time as the engine writes it."""
    found = re.fullmatch(r"(\S+?T[\d:]+)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text.strip())
    if not found:
        return 0.0
    stamp, fraction, zone = found.groups()
    moment = datetime.fromisoformat(stamp + ("+00:00" if zone == "Z" else zone))
    return moment.timestamp() + float(f"0.{fraction or 0}")


def under(path: str, directory: Path) -> bool:
    """Whether `path` is `directory` or inside it."""
    return path == str(directory) or path.startswith(str(directory).rstrip("/") + "/")


STACK_LABEL = "com.docker.stack.namespace"
_SWARM_KINDS = ("service", "secret", "config")
_STACK_GONE_SECONDS = 120
_SWARM_REMOVERS = {"service": lambda api, i: api.remove_service(i),
                   "secret": lambda api, i: api.remove_secret(i),
                   "config": lambda api, i: api.remove_config(i)}


class Swarm:
    """What a run put on the engine's swarm: stacks it deployed, services, secrets and
    configs it labelled, and the swarm itself when the run initialised it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def node_id(self) -> str:
        if not self.engine.available:
            return ""
        with self.engine._asking() as api:
            return (api.info().get("Swarm") or {}).get("NodeID") or ""

    def remove(self, stacks: set[str], run_id: str) -> list[str]:
        """Remove the stacks (their services, secrets, configs and networks, then, once
        their containers are gone, their volumes) and what carries the run's label.
        Returns what was removed, `kind name` each."""
        if not self.node_id():
            return []
        removed = []
        for kind in _SWARM_KINDS:  # services first: secrets and configs in use stay
            for identifier, name in self._listed(kind, f"{RUN_LABEL}={run_id}"):
                self.engine._tolerant(_SWARM_REMOVERS[kind], identifier)
                removed.append(f"{kind} {name}")
        for stack in sorted(stacks):
            services = [name for _, name in self._listed("service", f"{STACK_LABEL}={stack}")]
            if services or self._listed("network", f"{STACK_LABEL}={stack}"):
                self.engine._run(["stack", "rm", stack])  # the CLI's own: by namespace
                removed += [f"service {name}" for name in services]
        for stack in sorted(stacks):
            self._wait_for_containers(stack)
            leftovers = [r for kind in ("network", "volume")
                         for r in self.engine.resources(kind, f"{STACK_LABEL}={stack}")]
            self.engine.remove(leftovers)
            removed += [f"{r.kind} {r.id}" for r in leftovers]
        return removed

    def leave_if_initialised(self, node: str, stacks: set[str], run_id: str) -> bool:
        """Leave the swarm the run initialised (node id `node`), only while nothing on it
        is anyone else's; True when it left."""
        if not node or node != self.node_id():
            return False
        for service in self._services():
            labels = service["Spec"].get("Labels") or {}
            if labels.get(STACK_LABEL, "") not in stacks and labels.get(RUN_LABEL) != run_id:
                return False
        return self._leave()

    def initialising_run(self) -> str:
        """The id of the docs run that initialised this swarm ("" for anyone else's)."""
        node = self.node_id()
        shown = self.engine._tolerant(lambda api, n: api.inspect_node(n), node) if node else None
        return ((shown or {}).get("Spec", {}).get("Labels") or {}).get(RUN_LABEL, "")

    def leave_if_unused(self) -> bool:
        """Leave a swarm a docs run initialised once nothing at all runs on it."""
        return not self._services() and self._leave()

    def _services(self) -> list[dict]:
        """Every service of the swarm (none when this node is no manager)."""
        return self.engine._tolerant(lambda api, _: api.services(), "") or []

    def _leave(self) -> bool:
        """Leave the swarm, then remove the docker_gwbridge its init created, if a docs
        run noted one: the engine is left as the run found it."""
        created = swarm_guard.noted_gwbridge(self._docker)
        if self.engine._tolerant(lambda api, _: api.leave_swarm(force=True), "") is None:
            return False
        swarm_guard.remove_created_gwbridge(self._docker, created)
        return True

    def _docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.engine._run(list(args))

    def _listed(self, kind: str, label: str) -> list[tuple[str, str]]:
        """(id, name) of each `kind` carrying `label` (none when the engine says no)."""
        def listing(api, labelled):
            if kind == "network":
                return [(n["Id"], n["Name"]) for n in api.networks(filters={"label": labelled})]
            lister = {"service": api.services, "secret": api.secrets, "config": api.configs}
            return [(item["ID"], item["Spec"]["Name"])
                    for item in lister[kind](filters={"label": labelled})]
        return self.engine._tolerant(listing, label) or []

    def _wait_for_containers(self, stack: str) -> None:
        """The stack's tasks stop after `stack rm` returns: its networks and volumes can
        go only once their containers have."""
        deadline = time.monotonic() + _STACK_GONE_SECONDS
        while time.monotonic() < deadline:
            if not self.engine.resources("container", f"{STACK_LABEL}={stack}"):
                return
            time.sleep(0.5)
