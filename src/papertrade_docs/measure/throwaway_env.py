"""An env file and password files for one run of the production stack, with fresh secrets.

The env file is made from `docker/.env.production.example`: every secret (a name ending
in PASSWORD, SECRET, TOKEN or KEY) gets a random value, and where the example repeats a
secret's placeholder inside another value (a database URL) the same random value
replaces it there too. The password files are the Compose file's own `secrets:` kept in
its folder (`./secrets/...`), each with a random value. Both live in a temporary copy
and are gone after the run.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import yaml

# The containers' user (compose.prod.yaml's `user:`): plain Compose bind-mounts a secret
# file with its owner and mode on the host, so only this uid can read a 0600 file.
CONTAINER_UID = 1000

SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|KEY)$")
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        match = ASSIGNMENT.match(line)
        if match and not line.lstrip().startswith("#"):
            values[match.group(1)] = _unquote(match.group(2).strip())
    return values


def with_fresh_secrets(example: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    replacements = {}
    values = dict(example)
    for name, placeholder in example.items():
        if SECRET_NAME.search(name):
            fresh = secrets.token_hex(24)  # hex: safe inside URLs and shell words
            values[name] = fresh
            if len(placeholder) >= 4:
                replacements[placeholder] = fresh
    for name, value in values.items():
        if not SECRET_NAME.search(name):
            for placeholder, fresh in replacements.items():
                value = value.replace(placeholder, fresh)
            values[name] = value
    values.update(overrides)
    return values


def write(path: Path, values: dict[str, str]) -> None:
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))


def write_secret_files(directory: Path, compose_file: str) -> list[Path]:
    """A fresh random password in each file the Compose file's `secrets:` read from its
    own folder (build secrets such as a CA bundle live elsewhere and are left alone)."""
    document = yaml.safe_load((directory / compose_file).read_text(encoding="utf-8")) or {}
    written = []
    for spec in (document.get("secrets") or {}).values():
        source = str((spec or {}).get("file", ""))
        if "$" in source or not source.startswith("./secrets/"):
            continue
        path = directory / source
        path.parent.mkdir(mode=0o700, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(24) + "\n")
        _readable_by_the_containers(path)
        written.append(path)
    return written


def _readable_by_the_containers(path: Path) -> None:
    if os.getuid() == 0:
        os.chown(path, CONTAINER_UID, CONTAINER_UID)
    elif os.getuid() != CONTAINER_UID:
        # Neither root nor the containers' uid: no way to give the file to uid 1000. The
        # value is a throwaway in a private temporary copy, so let every uid read it.
        path.chmod(0o644)
        path.parent.chmod(0o755)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()
