"""The one source of the environment reference: docker/environment.yaml.

`variables:` are the settings of the stack, each a row of the reference. `toolchain:`
names what the images set only for the programs in them (PATH, Python's own switches),
each with why it is not a setting: the check accepts those in Dockerfiles and scripts
without a row, and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CATALOG_PATH = Path("docker/environment.yaml")
REQUIRED_VALUES = ("never", "production", "always")
KEYS = {"name", "description", "default", "required", "secret"}


class CatalogError(Exception):
    """The catalog itself is malformed; the message starts with file:line."""


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    default: str | None
    required: str  # one of REQUIRED_VALUES
    secret: bool
    line: int


def load_catalog(root: Path) -> list[Variable]:
    path = root / CATALOG_PATH
    if not path.exists():
        raise CatalogError(f"{CATALOG_PATH}:1: the catalog is missing: create it")
    document = yaml.compose(path.read_text())
    entries = _entries(document)
    variables = []
    seen: set[str] = set()
    for node in entries:
        line = node.start_mark.line + 1
        where = f"{CATALOG_PATH}:{line}"
        data = yaml.safe_load(yaml.serialize(node))
        if not isinstance(data, dict):
            raise CatalogError(f"{where}: each variable is a mapping with name and description")
        unknown = set(data) - KEYS
        if unknown:
            raise CatalogError(f"{where}: unknown key {sorted(unknown)[0]!r}: use {sorted(KEYS)}")
        name, description = data.get("name"), data.get("description")
        if not name or not description:
            raise CatalogError(f"{where}: a variable needs a name and a one-line description")
        if name in seen:
            raise CatalogError(f"{where}: {name} is listed twice: keep one entry")
        seen.add(name)
        required = data.get("required", "never")
        if required not in REQUIRED_VALUES:
            raise CatalogError(f"{where}: required must be one of {', '.join(REQUIRED_VALUES)}")
        default = data.get("default")
        variables.append(
            Variable(
                name=name,
                description=" ".join(str(description).split()),
                default=None if default is None else _text(default),
                required=required,
                secret=bool(data.get("secret", False)),
                line=line,
            )
        )
    return variables


def load_toolchain(root: Path) -> dict[str, int]:
    """The names under `toolchain:` (a mapping of name to why), each with its line."""
    path = root / CATALOG_PATH
    if not path.exists():
        raise CatalogError(f"{CATALOG_PATH}:1: the catalog is missing: create it")
    document = yaml.compose(path.read_text())
    node = _top_level(document, "toolchain")
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise CatalogError(
            f"{CATALOG_PATH}:{node.start_mark.line + 1}: toolchain is a mapping: NAME: why"
        )
    settings = {variable.name for variable in load_catalog(root)}
    names: dict[str, int] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        where = f"{CATALOG_PATH}:{line}"
        if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            raise CatalogError(f"{where}: say in one line why {key.value} is not a setting")
        if key.value in settings:
            raise CatalogError(
                f"{where}: {key.value} is also under variables: keep it in one list"
            )
        if key.value in names:
            raise CatalogError(f"{where}: {key.value} is listed twice: keep one entry")
        names[key.value] = line
    return names


def _top_level(document, key: str):
    if isinstance(document, yaml.MappingNode):
        for key_node, value in document.value:
            if key_node.value == key:
                return value
    return None


def _entries(document) -> list:
    if isinstance(document, yaml.MappingNode):
        for key, value in document.value:
            if key.value == "variables" and isinstance(value, yaml.SequenceNode):
                return value.value
    raise CatalogError(f"{CATALOG_PATH}:1: expected a top-level 'variables:' list")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
