"""What the runner asks the Docker engine: what exists, remove it, and Compose diagnostics.

Resources are found by label: `io.execdocs.run` (added by the docker shim, see
`execdocs.cleanup`) and Compose's own `com.docker.compose.project[.working_dir]`.
When no docker CLI is installed every query answers "nothing".
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from execdocs import swarm_guard

RUN_LABEL = "io.execdocs.run"
HOST_LABEL = "io.execdocs.host"
UID_LABEL = "io.execdocs.uid"  # the user whose run created it: only theirs reap it
PROJECT_LABEL = "com.docker.compose.project"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
KINDS = ("container", "network", "volume")
LABELS = (RUN_LABEL, HOST_LABEL, UID_LABEL, PROJECT_LABEL, WORKING_DIR_LABEL)  # the ones read back
_QUERY_TIMEOUT = 60


@dataclass(frozen=True)
class Resource:
    kind: str  # container, network or volume
    id: str
    labels: dict[str, str]


class Engine:
    """The docker CLI found on PATH when the runner started (not the page's shim)."""

    def __init__(self, docker: str | None = None):
        self.docker = docker or shutil.which("docker")

    @classmethod
    def absent(cls) -> Engine:
        """An engine-less setting: every query answers nothing (for pages without Docker)."""
        engine = cls()
        engine.docker = None
        return engine

    @property
    def available(self) -> bool:
        return self.docker is not None

    def resources(self, kind: str, label: str) -> list[Resource]:
        """Every `kind` carrying `label` (any value), with its labels."""
        if not self.available:
            return []
        lister = {"container": ["ps", "-a"], "network": ["network", "ls"],
                  "volume": ["volume", "ls"]}[kind].copy()
        field = "Name" if kind == "volume" else "ID"
        columns = "\t".join([f"{{{{.{field}}}}}"] + [f'{{{{.Label "{key}"}}}}' for key in LABELS])
        if kind != "volume":
            lister.append("--no-trunc")  # full ids, as `inspect` answers with
        listed = self._docker(*lister, "--filter", f"label={label}", "--format", columns)
        found = []
        for line in listed.splitlines():
            identifier, *values = line.split("\t")
            labels = {key: value for key, value in zip(LABELS, values, strict=True) if value}
            found.append(Resource(kind, identifier, labels))
        return found

    def running_others(self, run_id: str) -> list[str]:
        """Names of the running containers that are not run `run_id`'s, sorted."""
        if not self.available:
            return []
        listed = self._docker("ps", "--format", '{{.Names}}\t{{.Label "' + RUN_LABEL + '"}}')
        return sorted(name for name, _, run in (line.partition("\t")
                                                for line in listed.splitlines())
                      if name and run != run_id)

    def remove(self, resources: list[Resource]) -> None:
        """Remove resources: containers first (with their anonymous volumes), then the
        networks and volumes they used. Already gone is fine."""
        for kind in KINDS:
            ids = [resource.id for resource in resources if resource.kind == kind]
            if ids:
                command = {"container": ["rm", "-f", "-v"], "network": ["network", "rm"],
                           "volume": ["volume", "rm", "-f"]}[kind]
                self._docker(*command, *ids, check=False)

    def created_since(self, resources: list[Resource], since: float) -> list[Resource]:
        """The networks and volumes among `resources` created at or after `since` (a Unix
        time; the engine keeps volume times to the second). Containers pass unchecked."""
        kept = [r for r in resources if r.kind == "container"]
        formats = {"network": "{{.ID}}\t{{json .Created}}",
                   "volume": "{{.Name}}\t{{json .CreatedAt}}"}
        for kind, columns in formats.items():
            ids = [r.id for r in resources if r.kind == kind]
            if not ids:
                continue
            shown = self._run([kind, "inspect", "--format", columns, *ids]).stdout
            created = {}
            for line in shown.splitlines():
                identifier, _, when = line.partition("\t")
                created[identifier] = _unix_time(json.loads(when))
            kept += [r for r in resources if r.kind == kind
                     and created.get(r.id, 0) >= math.floor(since)]
        return kept

    def dangling_volumes(self, names: set[str]) -> list[Resource]:
        """The volumes among `names` that still exist and that no container uses."""
        if not self.available or not names:
            return []
        listed = self._docker("volume", "ls", "-q", "--filter", "dangling=true")
        return [Resource("volume", name, {}) for name in sorted(names & set(listed.split()))]

    def images_in(self, namespaces: set[str]) -> list[str]:
        """Tags (`repository:tag`) whose repository is one of `namespaces` or inside one."""
        if not self.available or not namespaces:
            return []
        listed = self._docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}")
        return [tag for tag in listed.split()
                if tag.partition(":")[0] in namespaces
                or tag.partition("/")[0] in namespaces]

    def remove_images(self, tags: list[str]) -> None:
        """Untag (and so delete, when no other tag holds it) each image; the layers the
        build cache holds stay."""
        if tags:
            self._docker("image", "rm", *tags, check=False)

    def remove_untagged(self, ids: set[str]) -> None:
        """Delete each of the images `ids` that no tag holds any more (an image that is
        still tagged is someone's: it stays, and so does one a container uses)."""
        if not self.available or not ids:
            return
        listed = self._run(["image", "inspect", "--format", "{{.Id}} {{len .RepoTags}}",
                            *sorted(ids)]).stdout
        untagged = [line.split()[0] for line in listed.splitlines()
                    if line.split()[1:] == ["0"]]
        if untagged:
            self._docker("image", "rm", *untagged, check=False)

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

    def _docker(self, *args: str, check: bool = True) -> str:
        done = self._run(list(args))
        if check and done.returncode != 0:
            raise EngineError(f"docker {' '.join(args[:2])} failed: {done.stdout.strip()}")
        return done.stdout

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        # Run outside any project directory, so Compose reads no compose file and acts on
        # the project by name; and without the caller's COMPOSE_* settings.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
        return subprocess.run(
            [self.docker, *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, cwd="/", timeout=_QUERY_TIMEOUT,
        )


class EngineError(Exception):
    pass


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


class Swarm:
    """What a run put on the engine's swarm: stacks it deployed, services, secrets and
    configs it labelled, and the swarm itself when the run initialised it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def node_id(self) -> str:
        if not self.engine.available:
            return ""
        return self.engine._run(["info", "--format", "{{.Swarm.NodeID}}"]).stdout.strip()

    def remove(self, stacks: set[str], run_id: str) -> list[str]:
        """Remove the stacks (their services, secrets, configs and networks, then, once
        their containers are gone, their volumes) and what carries the run's label.
        Returns what was removed, `kind name` each."""
        if not self.node_id():
            return []
        removed = []
        for kind in _SWARM_KINDS:  # services first: secrets and configs in use stay
            names = self._names(kind, f"label={RUN_LABEL}={run_id}")
            if names:
                self.engine._run([kind, "rm", *names])
                removed += [f"{kind} {name}" for name in names]
        for stack in sorted(stacks):
            services = self._names("service", f"label={STACK_LABEL}={stack}")
            if services or self._names("network", f"label={STACK_LABEL}={stack}"):
                self.engine._run(["stack", "rm", stack])
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
        listed = self.engine._run(["service", "ls", "--format", "{{.Name}}\t{{.Label \""
                                   + STACK_LABEL + "\"}}\t{{.Label \"" + RUN_LABEL + "\"}}"])
        for line in listed.stdout.splitlines():
            _name, stack, run = (line.split("\t") + ["", ""])[:3]
            if stack not in stacks and run != run_id:
                return False
        return self._leave()

    def initialising_run(self) -> str:
        """The id of the docs run that initialised this swarm ("" for anyone else's)."""
        shown = self.engine._run(["node", "inspect", "self", "--format",
                                  "{{json .Spec.Labels}}"])
        try:
            return (json.loads(shown.stdout) or {}).get(RUN_LABEL, "")
        except ValueError:
            return ""

    def leave_if_unused(self) -> bool:
        """Leave a swarm a docs run initialised once nothing at all runs on it."""
        if self.engine._run(["service", "ls", "-q"]).stdout.split():
            return False
        return self._leave()

    def _leave(self) -> bool:
        """Leave the swarm, then remove the docker_gwbridge its init created, if a docs
        run noted one: the engine is left as the run found it."""
        created = swarm_guard.noted_gwbridge(self._docker)
        if self.engine._run(["swarm", "leave", "--force"]).returncode != 0:
            return False
        swarm_guard.remove_created_gwbridge(self._docker, created)
        return True

    def _docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.engine._run(list(args))

    def _names(self, kind: str, label_filter: str) -> list[str]:
        listed = self.engine._run([kind, "ls", "--filter", label_filter,
                                   "--format", "{{.Name}}"])
        return listed.stdout.split() if listed.returncode == 0 else []

    def _wait_for_containers(self, stack: str) -> None:
        """The stack's tasks stop after `stack rm` returns: its networks and volumes can
        go only once their containers have."""
        deadline = time.monotonic() + _STACK_GONE_SECONDS
        while time.monotonic() < deadline:
            if not self.engine.resources("container", f"{STACK_LABEL}={stack}"):
                return
            time.sleep(0.5)
