"""What a scanner reports: a variable seen somewhere, with what that place says of it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    name: str
    path: str  # relative to the repository root
    line: int
    source: str  # "compose", "env-example", "settings", "dockerfile", "script"
    # "interpolation" (${VAR}), "environment" (a service's key), "field" (a setting),
    # "build-arg" and "env" (a Dockerfile's ARG and ENV), "read" (a script's $VAR), ...
    kind: str = "assignment"
    service: str | None = None  # the Compose service (or "backend" for settings)
    default: str | None = None  # the default this place states, if any
    required: bool = False  # `${VAR:?message}`
    description: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"
