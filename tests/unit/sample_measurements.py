"""A complete, valid measurements document for unit tests: made-up but plausible
figures, so formatting and validation can be tested without a Docker engine."""

from __future__ import annotations

import copy
from typing import Any

from papertrade_docs.images import IMAGES, MB, STACK_COMPOSE_FILES, STACK_FIGURES

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
        "how": {"command": "make measure", "tries": 5},
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
            "build_seconds": 61.25,
            "base_image": "debian:trixie-slim",
            "provenance": {"source": "bootstrapped"},
            "context_hash": "sha256:" + "0" * 64,
        }
        for image in IMAGES
    },
    "compose_files": {name: "sha256:" + "1" * 64 for name in STACK_COMPOSE_FILES},
    "stack": dict(zip(STACK_FIGURES, (12.34, 8.0, 0.456, 1.5), strict=True)),
}


def sample() -> dict[str, Any]:
    return copy.deepcopy(_DOCUMENT)
