"""The swarm's stack file stays in step with docker/compose.prod.yaml: same services, same
hardening, the same password files read through the same `*_FILE` variables. No Docker:
Compose's merge of the two files is redone here (mappings merged, `!reset` and `!override`
honoured, `${...}` filled from defaults), and the stack is made by
docker/swarm/stack_file.py itself."""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
PROD = DOCKER / "compose.prod.yaml"
SWARM = DOCKER / "swarm" / "compose.swarm.yaml"
# compose.prod.yaml's password files, each a swarm secret of the same name.
PASSWORDS = {"postgres_password", "postgres_app_password", "redis_password"}
# Hardening that a swarm service takes as it is.
SAME = ("user", "read_only", "cap_drop", "init", "healthcheck", "logging")
LIMITS = {"mem_limit": "memory", "cpus": "cpus", "pids_limit": "pids"}


def _stack_file_module():
    spec = importlib.util.spec_from_file_location("stack_file", DOCKER / "swarm" / "stack_file.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stack_file = _stack_file_module()


class Reset:
    def __init__(self, value):
        self.value = value


class Override(Reset):
    pass


class ComposeLoader(yaml.SafeLoader):
    pass


def _tagged(kind):
    def construct(loader, node):
        if isinstance(node, yaml.MappingNode):
            return kind(loader.construct_mapping(node, deep=True))
        if isinstance(node, yaml.SequenceNode):
            return kind(loader.construct_sequence(node, deep=True))
        return kind(loader.construct_scalar(node) or None)
    return construct


ComposeLoader.add_constructor("!reset", _tagged(Reset))
ComposeLoader.add_constructor("!override", _tagged(Override))


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=ComposeLoader)  # noqa: S506 (a SafeLoader)


def merge(base, override):
    """Compose's merge, as far as these files need it: mappings key by key, `!reset`
    clears, `!override` replaces, anything else replaces."""
    if isinstance(override, Override):
        return override.value
    if isinstance(override, Reset):
        return override.value
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value) if key in base else _plain(value)
        return {k: v for k, v in merged.items() if v is not None or k not in override}
    return override


def _plain(value):
    return value.value if isinstance(value, Reset) else value


_VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def interpolate(value):
    """`${VAR:-default}` as its default, a required `${VAR:?...}` as a stand-in, `$$` as `$`."""
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if isinstance(value, str):
        text = _VARIABLE.sub(lambda m: m.group(3) if m.group(2) == "-" else f"<{m.group(1)}>",
                             value)
        return text.replace("$$", "$")
    return value


def compose_config(prod: dict, swarm: dict) -> dict:
    """What `docker compose -f prod -f swarm config --format json` gives, for the keys
    stack_file.py reads: the merge, interpolated, ports in their long form."""
    merged = interpolate(merge(prod, swarm))
    for service in merged["services"].values():
        service["ports"] = [_long_port(p) for p in service.get("ports") or []]
        service.pop("ports") if not service["ports"] else None
        # Compose writes numbers as numbers and sizes in bytes.
        for key in ("cpus", "pids_limit", "mem_limit", "shm_size"):
            if key in service:
                number = _number(service[key])
                service[key] = number if key == "cpus" else int(number)
    return merged


def _number(value) -> float:
    """1, "1", "0.5", "256m", 268435456 as numbers (sizes in bytes)."""
    text = str(value).strip().lower()
    units = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
    return float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)


def _long_port(short: str) -> dict:
    parts = short.split(":")
    host_ip = parts[0] if len(parts) == 3 else ""
    return {"host_ip": host_ip, "published": parts[-2], "target": int(parts[-1]),
            "protocol": "tcp"}


def problems(prod: dict, swarm: dict) -> list[str]:
    """Where the stack made from the two files falls out of step with compose.prod.yaml."""
    try:
        stack = stack_file.stack(compose_config(prod, swarm))
    except stack_file.StackError as error:
        return [str(error)]
    found = []
    production = interpolate(prod)["services"]
    if set(stack["services"]) != set(production):
        found.append(f"services: {sorted(stack['services'])} != {sorted(production)}")
    for name, service in production.items():
        ours = stack["services"].get(name, {})
        for key in SAME:
            if key in service and key != "healthcheck" and ours.get(key) != service[key]:
                found.append(f"{name}.{key}: {ours.get(key)!r} != {service[key]!r}")
            if key == "healthcheck" and key in service and "healthcheck" not in ours:
                found.append(f"{name}: no health check")
        if not str(ours.get("image", "")).endswith("/" + service["image"]):
            found.append(f"{name}.image: {ours.get('image')!r} is not {service['image']!r} "
                         "in a registry")
        limits = ours.get("deploy", {}).get("resources", {}).get("limits", {})
        for key, limit in LIMITS.items():
            if key in service and _number(limits.get(limit)) != _number(service[key]):
                found.append(f"{name}.{key}: limits.{limit} is {limits.get(limit)!r}")
        mounts = {m.get("target") for m in ours.get("volumes", []) if isinstance(m, dict)}
        for path in service.get("tmpfs", []):
            if path not in mounts:
                found.append(f"{name}.tmpfs {path}: no tmpfs mount in the swarm")
        if service.get("restart") and "restart_policy" not in ours.get("deploy", {}):
            found.append(f"{name}.restart: no restart_policy")
        found += _secret_problems(name, service, ours)
    for secret in sorted(PASSWORDS - set(stack["secrets"])):
        found.append(f"secrets.{secret}: not a swarm secret")
    return found


def _secret_problems(name: str, service: dict, ours: dict) -> list[str]:
    """The swarm service gets exactly the secrets production gives it (a build's secrets
    are the build's), where its `*_FILE` variables look for them, readable by its user
    only, and no password in its environment."""
    found = []
    wanted = {_source(s) for s in service.get("secrets", [])}
    given = {_source(s) for s in ours.get("secrets", [])}
    if given != wanted:
        found.append(f"{name}: secrets {sorted(given)} in the swarm, {sorted(wanted)} in "
                     "production")
    environment = ours.get("environment") or {}
    mounted = {_target(s): s for s in ours.get("secrets", [])}
    for variable, path in (service.get("environment") or {}).items():
        if variable.endswith("_FILE") and environment.get(variable) != path:
            found.append(f"{name}.environment.{variable}: {environment.get(variable)!r} in "
                         f"the swarm, {path!r} in production")
        elif variable.endswith("_FILE") and path not in mounted:
            found.append(f"{name}: no secret mounted at {path}")
    uid, _, gid = service.get("user", "").partition(":")
    for path, secret in mounted.items():
        if (secret.get("uid"), secret.get("gid"), secret.get("mode")) != (uid, gid, 0o400):
            found.append(f"{name}: secret {path} is not its user's ({uid}:{gid}, 0400)")
    if any(v in str(environment) for v in ("PASSWORD>", ":<")):
        found.append(f"{name}: a password in the swarm service's environment")
    return found


def _source(secret: dict | str) -> str:
    return secret if isinstance(secret, str) else secret["source"]


def _target(secret: dict | str) -> str:
    """Where a swarm mounts the secret: its target, /run/secrets/<source> by default."""
    target = secret.get("target", "") if isinstance(secret, dict) else ""
    return target if target.startswith("/") else f"/run/secrets/{target or _source(secret)}"


@pytest.fixture(scope="module")
def files():
    return load(PROD), load(SWARM)


def test_the_stack_from_the_two_files_is_in_step_with_production(files):
    assert problems(*files) == []


def test_the_stack_has_the_production_services_and_hardening(files):
    stack = stack_file.stack(compose_config(*files))
    assert set(stack["services"]) == {"frontend", "backend", "db", "cache"}
    backend = stack["services"]["backend"]
    assert backend["deploy"]["replicas"] == 2
    assert backend["deploy"]["update_config"]["order"] == "start-first"
    assert backend["deploy"]["update_config"]["failure_action"] == "rollback"
    assert _number(backend["deploy"]["resources"]["limits"]["pids"]) == 128
    assert "ports" not in stack["services"]["frontend"]  # no 127.0.0.1 in a swarm
    assert {"build", "depends_on", "security_opt"}.isdisjoint(backend)
    assert set(stack["secrets"]) == PASSWORDS  # no extra_ca
    # The application's role, its password only (not the superuser's), for uid 1000 alone.
    assert "postgresql://papertrade@" in backend["environment"]["DATABASE_URL"]
    assert {(s["source"], s["uid"], s["gid"], s["mode"]) for s in backend["secrets"]} == {
        ("postgres_app_password", "1000", "1000", 0o400),
        ("redis_password", "1000", "1000", 0o400)}
    assert all("entrypoint" not in service for service in stack["services"].values())


def _add_hardening(prod, swarm):
    prod["services"]["backend"]["sysctls"] = {"net.core.somaxconn": 1024}


def _new_limit(prod, swarm):
    prod["services"]["db"]["mem_limit"] = "1g"
    swarm["services"]["db"]["mem_limit"] = "2g"


def _secret_dropped(prod, swarm):
    swarm["services"]["cache"]["secrets"] = []


def _superuser_password_to_backend(prod, swarm):
    swarm["services"]["backend"]["secrets"] = [
        *prod["services"]["backend"]["secrets"], "postgres_password"]


def _password_in_environment(prod, swarm):
    swarm["services"]["backend"]["environment"] = {
        "DATABASE_URL": "postgresql://papertrade:${POSTGRES_APP_PASSWORD:?}@db/papertrade"}


def _password_file_variable_dropped(prod, swarm):
    swarm["services"]["cache"]["environment"] = Override({})


def _secret_readable_by_root_only(prod, swarm):
    swarm["services"]["cache"]["secrets"] = [
        {"source": "redis_password", "uid": "0", "gid": "0", "mode": 0o400}]


def _secret_mounted_elsewhere(prod, swarm):
    swarm["services"]["db"]["secrets"] = [
        "postgres_password", {"source": "postgres_app_password", "target": "app_password"}]


def _user_changed_for_swarm(prod, swarm):
    swarm["services"]["frontend"]["user"] = "0:0"


def _tmpfs_replaced(prod, swarm):
    swarm["services"]["db"]["tmpfs"] = Reset([])


def _secret_added_in_production(prod, swarm):
    prod["services"]["frontend"]["secrets"] = ["tls_key"]
    prod["secrets"]["tls_key"] = {"file": "./secrets/tls_key"}


def _image_renamed(prod, swarm):
    prod["services"]["backend"]["image"] = "papertrade/api:prod"


def _published_on_loopback(prod, swarm):
    del swarm["services"]["frontend"]["ports"]


@pytest.mark.parametrize("change", [
    _add_hardening, _new_limit, _secret_dropped, _user_changed_for_swarm, _tmpfs_replaced,
    _published_on_loopback, _image_renamed, _superuser_password_to_backend,
    _password_in_environment, _password_file_variable_dropped, _secret_readable_by_root_only,
    _secret_mounted_elsewhere,
])
def test_a_change_to_one_file_without_the_other_is_caught(files, change):
    prod, swarm = copy.deepcopy(files[0]), copy.deepcopy(files[1])
    change(prod, swarm)
    assert problems(prod, swarm)


def test_a_secret_production_gains_reaches_the_swarm_without_a_second_edit(files):
    prod, swarm = copy.deepcopy(files[0]), copy.deepcopy(files[1])
    _secret_added_in_production(prod, swarm)
    stack = stack_file.stack(compose_config(prod, swarm))
    assert stack["services"]["frontend"]["secrets"] == [
        {"source": "tls_key", "uid": "1000", "gid": "1000", "mode": 0o400}]
    assert "tls_key" in stack["secrets"] and problems(prod, swarm) == []


def test_a_secret_is_its_numeric_users_and_keeps_what_compose_gives_it():
    secrets = stack_file.service_of("app", {"user": "1000:1001", "secrets": [
        {"source": "a", "target": "/run/secrets/a"}, {"source": "b", "mode": 0o440}]})["secrets"]
    assert secrets == [{"source": "a", "target": "/run/secrets/a", "uid": "1000", "gid": "1001",
                        "mode": 0o400},
                       {"source": "b", "uid": "1000", "gid": "1001", "mode": 0o440}]
    # A user by name: its uid is the image's to know, so the swarm's default stays.
    assert stack_file.service_of("app", {"user": "nginx", "secrets": ["a"]})["secrets"] == [
        {"source": "a"}]
