"""A complete, valid measurements document for unit tests: made-up but plausible
figures, so formatting and validation can be tested without a Docker engine."""

from __future__ import annotations

import copy
from typing import Any

from papertrade_docs.measure.images import IMAGES, MB, STACK_COMPOSE_FILES, STACK_FIGURES

SIZES_MB = {
    "backend-prod": 74.4,
    "backend-dev": 201.7,
    "frontend-prod": 12.5,
    "frontend-dev": 140.2,
    "db": 120.0,
    "cache": 90.6,
}

_DOCUMENT: dict[str, Any] = {
    "measured": {
        "when": "2026-11-27T10:15:00Z",
        "where": {
            "engine_version": "20.10.24",
            "compose_version": "2.40.3",
            "cpus": 2,
            "kernel": "6.18.44",
        },
        "how": {
            "command": "make measure",
            "tries": 5,
            "cold_build": "`docker compose build --no-cache <service>`",
            "warm_build": "the same build again, nothing changed",
        },
    },
    "base_images": {
        "debian:trixie-slim": {
            "size_bytes": 78_000_000,
            "provenance": {
                "source": "bootstrapped",
                "how": "debootstrap --variant=minbase trixie http://deb.debian.org/debian",
            },
        }
    },
    "images": {
        image.name: {
            "image": f"papertrade/{image.name}:test",
            "size_bytes": int(SIZES_MB[image.name] * MB),
            "layers": 7,
            "cold_build_seconds": 61.25,
            "warm_build_seconds": 0.84,
            "base_image": "debian:trixie-slim",
            "provenance": {"source": "bootstrapped"},
            "context_hash": "sha256:" + "0" * 64,
        }
        for image in IMAGES
    },
    "compose_files": {name: "sha256:" + "1" * 64 for name in STACK_COMPOSE_FILES},
    "stack": dict(zip(STACK_FIGURES, (12.34, 8.0, 0.456, 1.5), strict=True)),
    "installers": {
        "measured": {
            "when": "2026-11-27T11:00:00Z",
            "command": "make measure-installers",
            "machine": {"cpus": 2, "architecture": "x86_64", "memory_bytes": 8_000_000_000},
            "engine_version": "20.10.24",
            "compose_version": "2.40.3",
            "load_average": [0.5, 1.25],
        },
        "how": {"cold": "`docker compose build --no-cache`", "tries": 3, "statistic": "median"},
        "lock": {
            "file": "docker/backend/requirements.txt",
            "sha256": "sha256:" + "2" * 64,
            "packages": 21,
        },
        "installers": {
            "pip": {
                "version": "25.1.1",
                "build_seconds": 9.5,
                "venv_seconds": 2.2,
                "lock_seconds": 6.8,
                "samples": {"build": [9.5, 9.1, 10.0], "venv": [2.2, 2.1, 2.3],
                            "lock": [6.8, 6.5, 7.1]},
            },
            "uv": {
                "version": "0.13.8",
                "build_seconds": 5.25,
                "tool_seconds": 3.1,
                "lock_seconds": 1.5,
                "samples": {"build": [5.25, 5.0, 6.0], "tool": [3.1, 3.0, 3.3],
                            "lock": [1.5, 1.4, 1.6]},
            },
        },
    },
}


def sample() -> dict[str, Any]:
    return copy.deepcopy(_DOCUMENT)
