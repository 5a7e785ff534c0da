"""Figures as the pages write them: `74 MB`, `12.3 s`, and where they were measured."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from papertrade_docs.measure.images import MB, StatedSize


def megabytes(size_bytes: int | float) -> str:
    """Whole decimal megabytes, as `docker image ls` counts them: `74 MB`."""
    rounded = round(size_bytes / MB)
    return "under 1 MB" if rounded == 0 and size_bytes > 0 else f"{rounded} MB"


def stated(size: StatedSize) -> str:
    return ("about " if size.approximate else "") + megabytes(size.size_bytes)


def seconds(value: float) -> str:
    """`12.3 s`; below a second two decimals, so a quick reload does not read `0.0 s`."""
    return f"{value:.2f} s" if round(value, 2) < 1 else f"{value:.1f} s"


def minutes(value: float) -> str:
    """`about 37 min` for a long wait; under two minutes, seconds."""
    return seconds(value) if value < 120 else f"about {round(value / 60)} min"


def measured_on(measured: dict[str, Any]) -> str:
    """One sentence: when, on what and by which command the figures were measured."""
    when = datetime.fromisoformat(measured["when"])
    where = measured["where"]
    how = measured["how"]
    cpus = where["cpus"]
    # The processor's architecture, not the kernel's build string: what a reader compares.
    machine = f"{cpus} CPU{'s' if cpus != 1 else ''}" + (
        f", {where['architecture']}" if where.get("architecture") else ""
    )
    tries = how["tries"]
    return (
        f"Measured on {when:%Y-%m-%d at %H:%M} UTC by `{how['command']}` with "
        f"Docker Engine {where['engine_version']} and Docker Compose "
        f"{where['compose_version']} ({machine}); reload times are the median of "
        f"{tries} tr{'ies' if tries != 1 else 'y'}."
    )
