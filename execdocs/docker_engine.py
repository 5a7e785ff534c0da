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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
