"""The stack's Compose files, run from a throwaway copy of docker/ for the container tests.

A copy, because tests edit source files and write env files; a unique project name and
free ports, because another stack may be running; images named after the project, not
`papertrade/...`, because a contributor's own images keep their tags; and `down
--volumes` and the images removed whatever happens, because a test leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papertrade_docs.measure import throwaway_env
from papertrade_docs.measure.cli import copy_checkout
from papertrade_docs.measure.docker_cli import compose_env

ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = ROOT / "docker"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
UP_TIMEOUT_SECONDS = 600
COMMAND_TIMEOUT_SECONDS = UP_TIMEOUT_SECONDS + 120


def stack_variables() -> set[str]:
    """Every variable the env examples name: the tests, not the caller's shell, set them."""
    names: set[str] = set()
    for example in (".env.example", ".env.production.example"):
        names |= set(throwaway_env.parse((DOCKER_DIR / example).read_text(encoding="utf-8")))
    return names


def extra_ca_bundle() -> str:
    """What builds trust besides the images' own CAs: $EXTRA_CA_BUNDLE, else the host's."""
    configured = os.environ.get("EXTRA_CA_BUNDLE")
    if configured:
        return configured
    return str(HOST_CA_BUNDLE) if HOST_CA_BUNDLE.is_file() else ""


def copy_docker_dir(destination: Path) -> Path:
    """docker/ as a fresh clone holds it (no .env files, no node_modules)."""
    copy = destination / "docker"
    copy_checkout(DOCKER_DIR, copy)
    return copy


@dataclass
class Project:
    """One Compose project: a compose file in a copy of docker/, under a unique name."""

    directory: Path
    compose_file: str
    variables: dict[str, str] = field(default_factory=dict)
    env_file: str | None = None
    extra_files: tuple[str, ...] = ()
    name: str = field(default_factory=lambda: f"papertrade-test-{uuid.uuid4().hex[:10]}")
    own_images: dict[str, str] = field(default_factory=dict)  # service -> image it builds

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in stack_variables()}
        return compose_env(env, **{"EXTRA_CA_BUNDLE": extra_ca_bundle(), **self.variables})

    def command(self, *args: str) -> list[str]:
        command = ["docker", "compose", "-p", self.name, "-f", self.compose_file]
        for extra in self.extra_files:
            command += ["-f", extra]
        if self.own_images:
            command += ["-f", self._images_file()]
        if self.env_file is not None:
            command += ["--env-file", self.env_file]
        return command + list(args)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args),
            cwd=self.directory,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`{' '.join(result.args)}` exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        return result

    def up(self) -> None:
        self.name_own_images()
        self.run("up", "-d", "--build", "--wait", "--wait-timeout", str(UP_TIMEOUT_SECONDS))

    def name_own_images(self) -> None:
        """Every image the project builds, named after the project (an override file)."""
        if self.own_images:
            return
        config = json.loads(self.run("config", "--format", "json").stdout)
        self.own_images = own_image_names(config, self.name)
        (self.directory / self._images_file()).write_text(image_override(self.own_images))

    def use_images(self, images: dict[str, str]) -> None:
        """Run the images another project built (service -> image), building none."""
        self.own_images = dict(images)
        (self.directory / self._images_file()).write_text(image_override(self.own_images))

    def remove_own_images(self) -> None:
        images = sorted(set(self.own_images.values()))
        if images:
            subprocess.run(["docker", "image", "rm", *images], capture_output=True, check=False)

    def _images_file(self) -> str:
        return f"images.{self.name}.json"

    def down(self, *, volumes: bool) -> None:
        self.run("down", "--remove-orphans", "--timeout", "20", *(["--volumes"] if volumes else []))

    def container(self, service: str) -> dict[str, Any]:
        container_id = self.run("ps", "-q", service).stdout.strip()
        assert container_id, f"{self.name}: no container for service {service}"
        return inspect(container_id)

    def services(self) -> list[str]:
        return self.run("config", "--services").stdout.split()

    def images(self) -> dict[str, str]:
        """Each service's image name, as the Compose file (and its overrides) set it."""
        config = json.loads(self.run("config", "--format", "json").stdout)
        return {name: service["image"] for name, service in config["services"].items()}

    def leftovers(self, kinds: tuple[str, ...] = ("container", "network", "volume")) -> list[str]:
        """Ids of the containers, networks and volumes labelled with this project."""
        label = f"label=com.docker.compose.project={self.name}"
        found = []
        for kind in kinds:
            listing = [kind, "ls", "-q", "--filter", label]
            found += docker(*listing, *(["-a"] if kind == "container" else [])).split()
        return found

    def remove_leftovers(self) -> None:
        """Remove by label what Compose itself cannot take down (its file does not parse)."""
        for kind in ("container", "network", "volume"):
            ids = self.leftovers((kind,))
            if ids:
                docker(kind, "rm", *(["-f"] if kind == "container" else []), *ids)


def own_image_names(config: dict[str, Any], namespace: str) -> dict[str, str]:
    """service -> `namespace/backend:dev` for each image the project builds."""
    return {name: f"{namespace}/{service['image'].rsplit('/', 1)[-1]}"
            for name, service in config["services"].items()
            if service.get("build") and service.get("image")}


def image_override(images: dict[str, str]) -> str:
    """A Compose file (JSON is YAML) giving each service its image name."""
    return json.dumps({"services": {name: {"image": image} for name, image in images.items()}})


@contextmanager
def running(project: Project) -> Iterator[Project]:
    """The project up and healthy; down with its volumes afterwards, whatever happened."""
    try:
        project.up()
        yield project
    finally:
        project.down(volumes=True)
        project.remove_own_images()
        assert project.leftovers() == [], f"{project.name} left resources behind"


def production_env_file(copy: Path, overrides: dict[str, str]) -> str:
    """.env.production made from the example with the given overrides, and fresh
    password files in secrets/ for compose.prod.yaml's secrets."""
    example = throwaway_env.parse((copy / ".env.production.example").read_text(encoding="utf-8"))
    values = throwaway_env.with_fresh_secrets(example, overrides)
    throwaway_env.write(copy / ".env.production", values)
    throwaway_env.write_secret_files(copy, "compose.prod.yaml")
    return ".env.production"


def docker(*args: str) -> str:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"`docker {' '.join(args)}` failed: {result.stderr.strip()}")
    return result.stdout


def inspect(container_id: str) -> dict[str, Any]:
    return json.loads(docker("container", "inspect", container_id))[0]


def fetch(
    url: str, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Status and body; an HTTP error is an answer too, and status 0 means no answer
    (a server that is still starting or reloading)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def request(
    url: str, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """Status and JSON body (None when the body is not JSON)."""
    status, body = fetch(url, payload, headers)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def text(url: str) -> str:
    """The body as text, empty unless the status is 200."""
    status, body = fetch(url)
    return body.decode("utf-8", "replace") if status == 200 else ""


def one_file_image(content: bytes, tag: str | None = None, label: str | None = None) -> str:
    """A tiny image holding one file, made by `docker import` (no build, no base): tagged
    `tag`, or untagged as a moved tag leaves one; `label` as `key=value`. Its id."""
    import io
    import tarfile

    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        entry = tarfile.TarInfo("marker")
        entry.size = len(content)
        tar.addfile(entry, io.BytesIO(content))
    changes = ["--change", f"LABEL {label}"] if label else []
    made = subprocess.run(["docker", "import", *changes, "-", *([tag] if tag else [])],
                          input=archive.getvalue(), capture_output=True, check=True)
    return made.stdout.decode().strip()
