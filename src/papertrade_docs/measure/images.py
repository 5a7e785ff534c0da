"""The images the stack builds, their size budgets, and sizes stated elsewhere.

The one place these numbers live: the tests read the budgets from here, the pages
show the stated sizes through macros, so no page writes a size by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000  # sizes are shown in decimal megabytes, as `docker image ls` does


@dataclass(frozen=True)
class Image:
    name: str  # the key under `images` in docs/data/measurements.json
    compose_file: str  # relative to docker/
    service: str
    budget_bytes: int  # the image must stay under this size


@dataclass(frozen=True)
class StatedSize:
    """A size someone else published, shown beside the measured one."""

    size_bytes: int
    approximate: bool
    what: str
    source: str


IMAGES: tuple[Image, ...] = (
    Image("backend-prod", "compose.prod.yaml", "backend", 55 * MB),
    Image("backend-dev", "compose.yaml", "backend", 250 * MB),
    Image("frontend-prod", "compose.prod.yaml", "frontend", 20 * MB),
    Image("frontend-dev", "compose.yaml", "frontend", 150 * MB),
    Image("db", "compose.yaml", "db", 100 * MB),
    Image("cache", "compose.yaml", "cache", 30 * MB),
)

_PREVIOUS = "as PaperTrade's Docker progress note of 3 January 2026 gives them"
_HUB = "as stated on Docker Hub at the time"

# PaperTrade's previous images: their sizes as its progress note gives them.
EARLIER_DOCS: dict[str, StatedSize] = {
    "backend-dev": StatedSize(586 * MB, False, "PaperTrade's previous image", _PREVIOUS),
    "backend-prod": StatedSize(186 * MB, False, "PaperTrade's previous image", _PREVIOUS),
    "frontend-dev": StatedSize(135 * MB, False, "PaperTrade's previous image", _PREVIOUS),
    "frontend-prod": StatedSize(50 * MB, True, "PaperTrade's previous image", _PREVIOUS),
}

# The official images people would otherwise run instead of ours.
OFFICIAL_IMAGES: dict[str, StatedSize] = {
    "db": StatedSize(454 * MB, True, "postgres:17", _HUB),
    "cache": StatedSize(143 * MB, True, "redis:8", _HUB),
}

# The Compose files the stack figures are timed with (relative to docker/).
STACK_COMPOSE_FILES = ("compose.yaml", "compose.prod.yaml")

STACK_FIGURES: dict[str, str] = {
    "dev_ready_seconds": "development stack: from `up` to all services healthy",
    "prod_ready_seconds": "production stack: from `up` to all services healthy",
    "backend_reload_seconds": "backend: from saving a source file to the new code answering",
    "frontend_hmr_seconds": "frontend: from saving a module to Vite serving the new text",
}


def image(name: str) -> Image:
    for candidate in IMAGES:
        if candidate.name == name:
            return candidate
    known = ", ".join(i.name for i in IMAGES)
    raise KeyError(f"no image named {name!r} (images: {known})")


def stated_size(name: str) -> StatedSize | None:
    """The size published elsewhere for this image (previous or official), if any."""
    return EARLIER_DOCS.get(name) or OFFICIAL_IMAGES.get(name)
