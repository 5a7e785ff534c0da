"""Which files are Compose files, and which file an override is merged onto."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

COMPOSE_NAMES = ("compose*.yml", "compose*.yaml", "docker-compose*.yml", "docker-compose*.yaml")
# The files Compose itself reads in a directory, in its order of preference.
BASE_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def is_compose_file(path: Path, text: str) -> bool:
    """Whether `text`, written to `path`, is a Compose file: by its name, or by a
    top-level `services:` mapping."""
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in COMPOSE_NAMES):
        return True
    if not re.search(r"^services:", text, re.MULTILINE):
        return False
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and "services" in loaded


def base_compose_file(path: Path) -> Path | None:
    """The Compose file Compose itself would read in `path`'s directory, when that is
    another file: what an override written beside it is merged onto."""
    for name in BASE_COMPOSE_NAMES:
        candidate = path.parent / name
        if candidate.is_file() and candidate.resolve() != path.resolve():
            return candidate
    return None
