"""An env file for one measurement run of the production stack, with fresh secrets.

Made from `docker/.env.production.example`: every secret (a name ending in PASSWORD,
SECRET, TOKEN or KEY) gets a random value, and where the example repeats a secret's
placeholder inside another value (a database URL) the same random value replaces it
there too. The file lives in a temporary directory and is gone after the run.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

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


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()
