"""What the TLS-interception lab is made of, from its real files, for the proxies page.

Two Compose files make the picture: the lab's proxy (labs/tls-intercept/compose.yaml,
with the script its image starts) and the probe builds that go through it
(snippets/tls-probe/compose.yaml, with their Dockerfiles). Both are read as Compose
reads them (`docker compose config --format json`, the same clean environment as the
stacks' snapshots, compose.py) and reduced to what the picture shows:

- the proxy service: image, network mode, published ports (none), tmpfs, its secrets
  and where each comes from; from the script its ENTRYPOINT runs, the port it listens
  on, where it makes its CA, and the bundle it checks upstream certificates against;
- each probe whose build takes the `extra_ca` secret: its image, the stage it starts
  FROM, and its one `RUN --mount=type=secret` step: where the secret is mounted, the
  variable that hands it to the tool, and the download command.

The snapshot (docs/data/lab-tls.json) is refreshed and checked with the stacks'
(`python -m papertrade_docs.diagrams --refresh | --check`); the macro draws from it
only, for the reasons given in __init__.py.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from papertrade_docs.diagrams.compose import (
    REFRESH,
    ROOT,
    DiagramError,
    _relative,
    config_json,
    drift,
)
from papertrade_docs.diagrams.compose import (
    load_snapshot as load_snapshot,
)
from papertrade_docs.diagrams.compose import (
    write_snapshot as write_snapshot,
)
from papertrade_docs.diagrams.dockerfile import _mount, _options, instructions


@dataclass(frozen=True)
class Lab:
    key: str  # lab_diagram("tls")
    title: str
    compose_file: str  # the lab's proxy
    probes_file: str  # the builds that go through it
    secret: str  # the build secret that carries the lab's CA to the builds
    snapshot: str


LABS = {
    "tls": Lab(
        key="tls",
        title="The TLS-interception lab",
        compose_file="labs/tls-intercept/compose.yaml",
        probes_file="snippets/tls-probe/compose.yaml",
        secret="extra_ca",
        snapshot="docs/data/lab-tls.json",
    ),
}


def lab(key: str) -> Lab:
    try:
        return LABS[key]
    except KeyError:
        raise DiagramError(
            f"no lab {key!r}: lab_diagram() knows {', '.join(map(repr, LABS))}"
        ) from None


def config_of(compose_file: str, root: Path = ROOT) -> dict:
    """`docker compose config --format json` of one file, in a clean environment."""
    return config_json(root, ["-f", str(root / compose_file)], {})


def snapshot_of(spec: Lab, root: Path = ROOT) -> dict:
    return {
        "proxy": _proxy(config_of(spec.compose_file, root), spec, root),
        "builds": _builds(config_of(spec.probes_file, root), spec, root),
    }


def staleness(spec: Lab, root: Path = ROOT) -> str | None:
    """Why the committed snapshot no longer matches the lab's files, or None."""
    now = snapshot_of(spec, root)
    try:
        shown = drift(spec, now, root)
    except DiagramError as error:
        return str(error)
    return shown and (
        f"{spec.snapshot} no longer matches {spec.compose_file} and {spec.probes_file} "
        f"(`docker compose config`, the proxy's script, the probes' Dockerfiles); "
        f"the {spec.key} lab diagram is stale:\n{shown}\n"
        f"Run `{REFRESH}` and commit the snapshot."
    )


# ---------------------------------------------------------------- the proxy


def _proxy(config: dict, spec: Lab, root: Path) -> dict:
    services = config.get("services") or {}
    if len(services) != 1:
        raise DiagramError(f"{spec.compose_file}: expected one service (the proxy), "
                           f"found {', '.join(sorted(services)) or 'none'}")
    (name, service), = services.items()
    folder = (root / spec.compose_file).parent
    build = service.get("build") or {}
    context = Path(build.get("context", folder))
    script = _entrypoint_script(context / build.get("dockerfile", "Dockerfile"), context)
    secrets = config.get("secrets") or {}
    return {
        "source": spec.compose_file,
        "project": config.get("name", ""),
        "service": name,
        "image": service.get("image", ""),
        "network_mode": service.get("network_mode", ""),
        "networks": sorted(service.get("networks") or {}),
        "ports": [f"{p.get('host_ip', '')}:{p.get('published', '')}:{p['target']}"
                  for p in service.get("ports") or []],
        "tmpfs": [path.split(":", 1)[0] for path in service.get("tmpfs") or []],
        "read_only": bool(service.get("read_only")),
        "secrets": [
            {"source": e["source"], "target": e.get("target", f"/run/secrets/{e['source']}"),
             "file": _secret_file(secrets.get(e["source"]) or {}, folder)}
            for e in service.get("secrets") or []
        ],
        "script": _relative(script, root).removeprefix("./"),
        **_mitmproxy_options(script),
    }


def _entrypoint_script(dockerfile: Path, context: Path) -> Path:
    """The script the image's ENTRYPOINT runs, found by its name in the build context."""
    for instruction in instructions(dockerfile.read_text()):
        keyword, _, rest = instruction.partition(" ")
        if keyword.upper() == "ENTRYPOINT":
            words = json.loads(rest) if rest.lstrip().startswith("[") else shlex.split(rest)
            for word in reversed(words):
                candidate = context / Path(word).name
                if word.endswith(".sh") and candidate.is_file():
                    return candidate
    raise DiagramError(f"{dockerfile}: no ENTRYPOINT script found in {context}")


def _mitmproxy_options(script: Path) -> dict:
    text = script.read_text()
    found = {
        "listen_port": re.search(r"--listen-port[ =](\d+)", text),
        "confdir": re.search(r"confdir=(\S+)", text),
        "upstream_trust": re.search(r"ssl_verify_upstream_trusted_ca=(\S+)", text),
        "program": re.search(r"exec\s+\S*/(mitm\w+)", text),
    }
    missing = [key for key, match in found.items() if not match]
    if missing:
        raise DiagramError(f"{script}: cannot find {', '.join(missing)} of the proxy")
    return {
        "program": found["program"][1],
        "listen_port": int(found["listen_port"][1]),
        "ca_dir": found["confdir"][1],
        "upstream_trust": found["upstream_trust"][1],
    }


def _secret_file(secret: dict, folder: Path) -> str:
    if secret.get("file"):
        return _relative(Path(secret["file"]), folder)
    if secret.get("environment"):
        return "$" + secret["environment"]
    return "external" if secret.get("external") else ""


# ---------------------------------------------------------------- the builds


def _builds(config: dict, spec: Lab, root: Path) -> dict:
    services = config.get("services") or {}
    folder = (root / spec.probes_file).parent
    probes = {}
    for name in sorted(services):
        build = services[name].get("build") or {}
        if spec.secret not in [e["source"] for e in build.get("secrets") or []]:
            continue  # the base stages the probes start FROM
        context = Path(build.get("context", folder))
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        probes[name] = {"image": services[name].get("image", ""),
                        "dockerfile": _relative(dockerfile, folder).removeprefix("./"),
                        **_secret_step(dockerfile, spec.secret)}
    if not probes:
        raise DiagramError(f"{spec.probes_file}: no build takes the secret {spec.secret}")
    secret = (config.get("secrets") or {}).get(spec.secret) or {}
    return {
        "source": spec.probes_file,
        "project": config.get("name", ""),
        "secret": {"name": spec.secret, "file": _secret_file(secret, folder)},
        "probes": probes,
    }


def _secret_step(dockerfile: Path, secret: str) -> dict:
    """The FROM and the RUN step that mounts `secret`: where, as which variable, doing what."""
    base = ""
    for instruction in instructions(dockerfile.read_text()):
        keyword = instruction.split(None, 1)[0].upper()
        if keyword == "FROM":
            base = instruction.split()[1]
            continue
        if keyword != "RUN":
            continue
        for option in _options(instruction):
            mount = _mount(option.removeprefix("--mount=")) if option.startswith("--mount=") else {}
            if mount.get("type") == "secret" and mount.get("id") == secret:
                target = mount.get("target") or mount.get("dst") or f"/run/secrets/{secret}"
                script = instruction.split(None, 1)[1]
                while script.startswith("--"):
                    script = script.split(None, 1)[1]
                variable = re.search(rf"export (\w+)={re.escape(target)}", script)
                command = script.rsplit("&&", 1)[-1].strip()
                return {"from": base, "mount": target,
                        "variable": variable[1] if variable else "",
                        "command": command}
    raise DiagramError(f"{dockerfile}: no RUN step mounts the secret {secret}")
