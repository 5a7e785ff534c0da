"""Variables a Compose file uses: `${VAR}` interpolations (with their `:-default` or
`:?message`) and the keys of each service's `environment:`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from papertrade_docs.envref.usage import Usage

INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


def scan_compose(path: Path, root: Path) -> list[Usage]:
    text = path.read_text()
    relative = str(path.relative_to(root))
    document = yaml.compose(text)
    usages: list[Usage] = []
    if document is None:
        return usages
    for key_node, value_node in _mapping(document):
        if key_node.value == "services":
            for service_key, service_node in _mapping(value_node):
                usages += _scan_service(service_key.value, service_node, relative)
        else:
            usages += _interpolations(value_node, relative, service=None)
    return usages


def _scan_service(service: str, node, relative: str) -> list[Usage]:
    usages = _interpolations(node, relative, service)
    for key_node, value_node in _mapping(node):
        if key_node.value != "environment":
            continue
        if isinstance(value_node, yaml.MappingNode):
            names = [(k.value, k.start_mark.line + 1) for k, _ in value_node.value]
        else:  # list form: ["NAME=value", "NAME"]
            names = [
                (item.value.split("=", 1)[0], item.start_mark.line + 1)
                for item in value_node.value
            ]
        usages += [
            Usage(name, relative, line, "compose", "environment", service)
            for name, line in names
        ]
    return usages


def _interpolations(node, relative: str, service: str | None) -> list[Usage]:
    usages = []
    for scalar in _scalars(node):
        for match in INTERPOLATION.finditer(scalar.value):
            op, arg = match.group("op"), match.group("arg")
            usages.append(
                Usage(
                    name=match.group("name"),
                    path=relative,
                    line=scalar.start_mark.line + 1,
                    source="compose",
                    kind="interpolation",
                    service=service,
                    default=arg if op in (":-", "-") else None,
                    required=op in (":?", "?"),
                )
            )
    return usages


def _mapping(node):
    return node.value if isinstance(node, yaml.MappingNode) else []


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)
