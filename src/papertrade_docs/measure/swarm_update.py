"""Time a rolling update of the backend on a swarm, under load, as the Scaling out page
does it: `make measure`'s swarm step.

    python -m papertrade_docs.measure --swarm   # this step alone; the rest of the data kept

From a throwaway copy of docker/, under a stack name of its own: the images pushed to
the local registry (swarm/registry/, on a free port of 127.0.0.1), the stack file made
by swarm/compose.swarm.yaml and swarm/stack_file.py, `docker stack deploy`, then
`docker service update --image` of the backend to a new tag while swarm/load.py sends
requests through nginx from a container on the stack's network. The swarm is left as it
was found: initialised here only when the engine was in none, and left again only then
(and only when nothing else runs on it).
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from execdocs import swarm_guard
from papertrade_docs.measure import stack_timing, throwaway_env
from papertrade_docs.measure.docker_cli import DockerError, ask, compose_env, engine_info, run
from papertrade_docs.measure.progress import Progress

STACK_LABEL = "com.docker.stack.namespace"
LOAD_REQUESTS = 20000  # the bounds of the load loop, as on the page
LOAD_SECONDS = 180
SUMMARY = re.compile(r"requests: (\d+), failed: (\d+), seconds: (\d+)")
GONE_SECONDS = 120
IMAGES = ("frontend:prod", "backend:prod", "db:17", "cache:8")  # as compose.prod.yaml tags them
HOW = (
    "`docker service update --image` of the backend (2 replicas, start-first, health-gated) "
    "to a new tag of the same build; meanwhile swarm/load.py sends GET /api/portfolios "
    "through nginx, one request after the other, from a container on the stack's network"
)


def measure(copy: Path, progress: Progress, command: str) -> dict[str, Any]:
    """The `swarm` section of the data file; `copy` is a throwaway copy of docker/."""
    stack = f"measure{uuid.uuid4().hex[:8]}"
    registry = f"127.0.0.1:{stack_timing.free_port()}"
    # Fresh password files where compose.prod.yaml's secrets read them, as the page makes
    # them; the stack deploy turns each into a swarm secret.
    throwaway_env.write_secret_files(copy, "compose.prod.yaml")
    env = compose_env(REGISTRY=registry)
    with progress.step("swarm", "building the production images (cached)"):
        run(["docker", "compose", "-f", "compose.prod.yaml", "build", "--quiet"],
            cwd=copy, env=env)
    stack_file = copy / "stack.json"
    config = run(["docker", "compose", "-f", "compose.prod.yaml", "-f",
                  "swarm/compose.swarm.yaml", "config", "--format", "json"], cwd=copy, env=env)
    converted = subprocess.run(["python3", "swarm/stack_file.py"], input=config, cwd=copy,
                               capture_output=True, text=True, check=False)
    if converted.returncode != 0:
        raise DockerError(f"swarm/stack_file.py: {converted.stderr.strip()}")
    stack_file.write_text(converted.stdout)
    tag = f"{registry}/papertrade/backend:2"
    load = f"{stack}-load"
    with (_registry(copy, stack, registry, progress), _swarm(progress, f"{stack}-registry"),
          _stack(stack, progress)):
        with progress.step("swarm", f"deploying stack {stack}"):
            run(["docker", "stack", "deploy", "--detach=false", "-c", str(stack_file), stack],
                cwd=copy)
        run(["docker", "tag", "papertrade/backend:prod", tag])
        run(["docker", "push", "--quiet", tag])
        try:
            run(["docker", "run", "-d", "--name", load, "--network", f"{stack}_web",
                 "-v", f"{copy / 'swarm' / 'load.py'}:/load.py:ro", "papertrade/backend:prod",
                 "/opt/venv/bin/python", "/load.py", "http://frontend:8080/api/portfolios",
                 "--requests", str(LOAD_REQUESTS), "--seconds", str(LOAD_SECONDS)])
            with progress.step("swarm", "rolling update under load"):
                started = time.monotonic()
                run(["docker", "service", "update", "--detach=false", "--image", tag,
                     f"{stack}_backend"])
                seconds = time.monotonic() - started
            run(["docker", "stop", load])
            summary = SUMMARY.search(run(["docker", "logs", load]))
        finally:
            subprocess.run(["docker", "rm", "-f", load], capture_output=True, check=False)
    if summary is None:
        raise DockerError("the load loop printed no summary (requests, failed, seconds)")
    return {
        "measured": {"when": datetime.now(UTC).replace(microsecond=0).isoformat()
                     .replace("+00:00", "Z"), "command": command},
        "how": HOW,
        "rolling_update_seconds": round(seconds, 1),
        "update_requests": int(summary.group(1)),
        "update_failed_requests": int(summary.group(2)),
    }


@contextmanager
def _registry(copy: Path, stack: str, registry: str, progress: Progress) -> Iterator[None]:
    """The page's local registry on `registry` with the production images pushed to it;
    stopped (its tmpfs with it) and the tags removed afterwards."""
    compose = ["docker", "compose", "-p", f"{stack}-registry", "-f",
               "swarm/registry/compose.registry.yaml"]
    env = compose_env(REGISTRY_PORT=registry.rpartition(":")[2])
    tags = [f"{registry}/papertrade/{image}" for image in IMAGES] + [
        f"{registry}/papertrade/backend:2"]
    try:
        with progress.step("swarm", f"starting a registry on {registry}, pushing the images"):
            run([*compose, "up", "-d", "--build", "--wait"], cwd=copy, env=env)
            for image in IMAGES:
                run(["docker", "tag", f"papertrade/{image}", f"{registry}/papertrade/{image}"])
                run(["docker", "push", "--quiet", f"{registry}/papertrade/{image}"])
        yield
    finally:
        subprocess.run([*compose, "down", "--volumes"], cwd=copy, env=env,
                       capture_output=True, check=False)
        subprocess.run(["docker", "image", "rm", *tags], capture_output=True, check=False)


@contextmanager
def _swarm(progress: Progress, own_project: str) -> Iterator[None]:
    state = (engine_info().get("Swarm") or {}).get("LocalNodeState", "")
    initialised = state == "inactive"
    if initialised:
        # Leaving the swarm again would break name resolution in every container already
        # running on this engine (moby/moby#45144): none may run but the step's registry.
        running = ask("listing the running containers", lambda api: api.containers())
        others = sorted(container["Names"][0].lstrip("/") for container in running
                        if (container.get("Labels") or {}).get("com.docker.compose.project")
                        != own_project)
        if others:
            raise DockerError(
                f"this engine runs other containers ({', '.join(others[:3])}); the swarm step"
                " would initialise a swarm and leave it, which breaks their name resolution"
                " (moby/moby#45144): measure on an engine where nothing else runs")
        # The swarm creates docker_gwbridge when the engine has none, and leaving keeps it.
        created = swarm_guard.gwbridge_id(_docker) == ""
        with progress.step("swarm", "initialising a one-node swarm"):
            run(["docker", "swarm", "init", "--advertise-addr", "127.0.0.1"])
    elif state != "active":
        raise DockerError(f"this engine's swarm is {state!r}: the swarm step needs an active "
                          "swarm or none")
    try:
        yield
    finally:
        others = ask("listing the swarm's services", lambda api: api.services())
        if initialised and not others:
            run(["docker", "swarm", "leave", "--force"])
            swarm_guard.remove_created_gwbridge(_docker, created)


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


@contextmanager
def _stack(stack: str, progress: Progress) -> Iterator[None]:
    try:
        yield
    finally:
        with progress.step("swarm", f"removing stack {stack} and its volume"):
            subprocess.run(["docker", "stack", "rm", stack], capture_output=True, check=False)
            deadline = time.monotonic() + GONE_SECONDS
            labelled = {"label": f"{STACK_LABEL}={stack}"}
            while time.monotonic() < deadline and ask(
                    f"listing the containers of stack {stack}",
                    lambda api: api.containers(all=True, filters=labelled)):
                time.sleep(0.5)
            volumes = [volume["Name"] for volume in ask(
                f"listing the volumes of stack {stack}",
                lambda api: api.volumes(filters=labelled)).get("Volumes") or []]
            networks = [network["Id"] for network in ask(
                f"listing the networks of stack {stack}",
                lambda api: api.networks(filters=labelled))]
            if volumes:
                subprocess.run(["docker", "volume", "rm", *volumes], capture_output=True,
                               check=False)
            if networks:
                subprocess.run(["docker", "network", "rm", *networks], capture_output=True,
                               check=False)

