"""Where the stack uses or states environment variables, and the scan of all of them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml

from papertrade_docs.envref.compose_scan import scan_compose
from papertrade_docs.envref.dockerfile_scan import Build, image_scripts, scan_build
from papertrade_docs.envref.dotenv_scan import scan_dotenv
from papertrade_docs.envref.settings_scan import scan_settings
from papertrade_docs.envref.usage import Usage

COMPOSE_FILES = {
    "dev": Path("docker/compose.yaml"),
    "prod": Path("docker/compose.prod.yaml"),
    # The TLS proxy, used on top of compose.prod.yaml (with its .env.production).
    "tls": Path("docker/compose.tls.yaml"),
}
ENV_EXAMPLES = {"dev": Path("docker/.env.example"), "prod": Path("docker/.env.production.example")}
# The example that lists what each Compose file lets a user set.
EXAMPLE_OF = {"dev": "dev", "prod": "prod", "tls": "prod"}
SETTINGS_FILE = Path("docker/backend/src/papertrade/settings.py")


def scan_all(root: Path) -> dict[str, list[Usage]]:
    """Usages keyed by place: 'compose:dev', 'env:prod', 'settings',
    'image:docker/db/Dockerfile' (its ARGs and ENVs, and what its scripts read), ..."""
    found: dict[str, list[Usage]] = {}
    for flavour, path in COMPOSE_FILES.items():
        if (root / path).exists():
            found[f"compose:{flavour}"] = scan_compose(root / path, root)
    for flavour, path in ENV_EXAMPLES.items():
        if (root / path).exists():
            found[f"env:{flavour}"] = scan_dotenv(root / path, root)
    if (root / SETTINGS_FILE).exists():
        found["settings"] = scan_settings(root / SETTINGS_FILE, root)
    for build in builds(root):
        found.setdefault(f"image:{build.dockerfile}", []).extend(scan_build(build, root))
    return found


def scanned_files(root: Path) -> list[Path]:
    """Every file the scan reads, relative to root (the catalog aside)."""
    files = [*COMPOSE_FILES.values(), *ENV_EXAMPLES.values(), SETTINGS_FILE]
    for build in builds(root):
        files.append(build.dockerfile)
        files += [script.relative_to(root) for script in image_scripts(build, root)]
    return list(dict.fromkeys(path for path in files if (root / path).exists()))


class _ComposeLoader(yaml.SafeLoader):
    """YAML as Compose reads it: its own tags (`!reset`, `!override`) mark how a file
    merges onto the one before, and the value they tag is read as it is."""


def _tagged_value(loader: yaml.SafeLoader, _tag: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


_ComposeLoader.add_multi_constructor("!", _tagged_value)


def builds(root: Path) -> list[Build]:
    """Every image the Compose files build (Dockerfile and target), with the services
    that run it; a Dockerfile that does not exist is left to Compose to report."""
    services: dict[tuple[Path, Path, str | None], list[str]] = {}
    for compose_file in COMPOSE_FILES.values():
        path = root / compose_file
        document = yaml.load(path.read_text(), _ComposeLoader) if path.exists() else None
        for service, spec in ((document or {}).get("services") or {}).items():
            build = (spec or {}).get("build")
            if build is None:
                continue
            if isinstance(build, str):
                build = {"context": build}
            context = _normalised(compose_file.parent / build.get("context", "."))
            dockerfile = _normalised(context / build.get("dockerfile", "Dockerfile"))
            key = (dockerfile, context, build.get("target"))
            if service not in services.setdefault(key, []):
                services[key].append(service)
    return [
        Build(dockerfile, context, target, tuple(sorted(names)))
        for (dockerfile, context, target), names in services.items()
        if (root / dockerfile).is_file()
    ]


def _normalised(path: Path) -> Path:
    """docker/./backend -> docker/backend, without touching the file system."""
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return Path(*parts)
