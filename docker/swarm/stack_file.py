"""A stack file for `docker stack deploy`, from the production Compose file.

    docker compose -f compose.prod.yaml -f swarm/compose.swarm.yaml config --format json \\
      | python3 swarm/stack_file.py > stack.json

Compose merges the two files and fills in the variables; this maps what `docker stack
deploy` ignores or refuses onto what a swarm supports, and stops, naming the key, at one
it has no mapping for: a hardening line added to compose.prod.yaml then fails here (and
in tests/unit/test_swarm_stack.py) until the swarm has its equivalent. JSON is YAML, so
the output is a stack file as it is. Python's standard library only.
"""

from __future__ import annotations

import json
import sys

# Keys a swarm service takes as Compose writes them.
KEPT = {"image", "user", "read_only", "cap_drop", "init", "healthcheck", "logging",
        "environment", "networks", "entrypoint", "command", "volumes", "deploy",
        "stop_signal", "stop_grace_period"}
# Resource limits: Compose's key on one host, `deploy.resources.limits` in a swarm.
LIMITS = {"mem_limit": "memory", "cpus": "cpus", "pids_limit": "pids"}
# Keys with no swarm equivalent, and why leaving them out is safe.
DROPPED = {
    "build": "a swarm runs images from a registry; build and push them first",
    "depends_on": "a swarm starts services in no order; health checks and restarts cover it",
    "security_opt": "Engine 20.10 swarms cannot set no-new-privileges; uid 1000 and no "
                    "capabilities remain",
}
# Compose's restart policies as a swarm's `deploy.restart_policy.condition`.
RESTART = {"unless-stopped": "any", "always": "any", "on-failure": "on-failure", "no": "none"}


class StackError(ValueError):
    """The Compose file holds something this mapping does not know."""


def stack(config: dict) -> dict:
    services = {name: service_of(name, service)
                for name, service in config.get("services", {}).items()}
    used = {s["source"] if isinstance(s, dict) else s
            for service in services.values() for s in service.get("secrets", [])}
    return {
        "services": services,
        "networks": {name: _unnamed(network) for name, network
                     in (config.get("networks") or {}).items()},
        "volumes": {name: _unnamed(volume) for name, volume
                    in (config.get("volumes") or {}).items()},
        # A build secret (extra_ca) has no place in a swarm.
        "secrets": {name: _unnamed(secret) for name, secret
                    in (config.get("secrets") or {}).items() if name in used},
    }


def service_of(name: str, service: dict) -> dict:
    result: dict = {}
    deploy = json.loads(json.dumps(service.get("deploy") or {}))
    limits: dict = {}
    volumes = list(service.get("volumes") or [])
    for key, value in service.items():
        if value is None:
            continue  # Compose's JSON writes unset keys as null; a stack file refuses them
        if key in KEPT:
            result[key] = value
        elif key == "secrets":
            result[key] = [_owned(secret, service.get("user")) for secret in value]
        elif key in LIMITS:
            limits[LIMITS[key]] = str(value) if key == "cpus" else value
        elif key == "restart":
            deploy.setdefault("restart_policy", {})["condition"] = RESTART[value]
        elif key == "tmpfs":
            volumes += [{"type": "tmpfs", "target": path} for path in value]
        elif key == "shm_size":
            volumes.append({"type": "tmpfs", "target": "/dev/shm",
                            "tmpfs": {"size": _bytes(value)}})
        elif key == "ports":
            if any(port.get("host_ip") for port in value):
                raise StackError(f"services.{name}.ports: a swarm publishes on every "
                                 "interface (no host_ip); reset the ports in "
                                 "swarm/compose.swarm.yaml or publish them there")
            result[key] = [{k: int(v) if k == "published" else v for k, v in port.items()}
                           for port in value]
        elif key not in DROPPED:
            raise StackError(f"services.{name}.{key} has no swarm mapping; add one to "
                             "swarm/stack_file.py (or to swarm/compose.swarm.yaml)")
    if limits:
        deploy.setdefault("resources", {}).setdefault("limits", {}).update(limits)
    if volumes:
        result["volumes"] = volumes
    if deploy:
        result["deploy"] = deploy
    return result


def _owned(secret: dict | str, user: str | None) -> dict:
    """A secret mounted for the service's numeric user only (mode 0400). Plain Compose
    mounts the host's file with its owner and mode (made for uid 1000); a swarm mounts a
    copy, root's and readable by all (0444), unless the stack says otherwise. A user
    given by name keeps that default (its uid is the image's to know); values the
    Compose file gives stay."""
    secret = {"source": secret} if isinstance(secret, str) else dict(secret)
    uid, _, gid = (user or "").partition(":")
    if uid.isdigit():
        secret.setdefault("uid", uid)
        secret.setdefault("gid", gid if gid.isdigit() else uid)
        secret.setdefault("mode", 0o400)
    return secret


def _unnamed(definition: dict | None) -> dict:
    """Compose names networks, volumes and secrets after its project; a stack names them
    after the stack."""
    return {k: v for k, v in (definition or {}).items() if k != "name"}


def _bytes(value: float | str) -> int:
    if isinstance(value, int | float):
        return int(value)
    units = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
    text = value.strip().lower().removesuffix("b")
    return int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)


def main() -> int:
    try:
        print(json.dumps(stack(json.load(sys.stdin)), indent=2))
    except StackError as error:
        print(f"stack_file: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
