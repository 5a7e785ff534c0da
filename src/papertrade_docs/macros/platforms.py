"""The images on other architectures as page macros (`make test-arm64`): each image's
size there beside the native one, and when and how it was measured.

Registered with the figure macros (`papertrade_docs.macros.figures`). Those figures are not
re-measured by `make measure`, so an image whose build files changed since says so in
the table rather than passing an old size off as current.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import Measurements

COMMAND = "make test-arm64"


def platform_macros(measurements: Callable[[], Measurements]) -> dict[str, Callable]:
    def platform_table(platform: str = "linux/arm64") -> str:
        return render_platform_table(measurements(), platform)

    def platform_measured_on(platform: str = "linux/arm64") -> str:
        section = _section(measurements(), platform)
        if section is None:
            return f"No images have been measured for {platform} yet: run `{COMMAND}`."
        measured = section["measured"]
        when = datetime.fromisoformat(measured["when"])
        where = measured.get("where", {})
        return (f"Built for {platform} on {when:%Y-%m-%d at %H:%M} UTC by `{COMMAND}`, under"
                f" emulation on a {where.get('architecture', 'x86_64')} machine with Docker"
                f" Engine {where.get('engine_version', '')}: each image ran its version and"
                " health smoke there." + _run_time(measured.get("how", {})) +
                " Build times under emulation say nothing of a real arm64 machine, so only"
                " sizes are given.")

    return {f.__name__: f for f in (platform_table, platform_measured_on)}


def _run_time(how: dict[str, Any]) -> str:
    """What the run cost the contributor who ran it, when the data says."""
    if "seconds" not in how:
        return ""
    cache = {"none": "without the build cache (a first run)",
             "reused": "reusing the build cache"}.get(how.get("build_cache", ""), "")
    said = f" Building and smoking all six took {figure_text.minutes(how['seconds'])}"
    return f"{said} {cache}." if cache else f"{said}."


def _section(data: Measurements, platform: str) -> dict[str, Any] | None:
    return (data.data.get("platforms") or {}).get(platform)


def render_platform_table(data: Measurements, platform: str) -> str:
    section = _section(data, platform)
    if section is None:
        return f"*Not measured for {platform} yet: run `{COMMAND}`.*\n"
    arch = platform.split("/", 1)[1]
    native = data.measured["where"].get("architecture", "native")
    lines = [f"| Image | {native} | {arch} | What it ran on {arch} |",
             "| --- | ---: | ---: | --- |"]
    for spec in IMAGES:
        entry = section["images"][spec.name]
        size = figure_text.megabytes(entry["size_bytes"])
        if entry["context_hash"] != data.image_field(spec.name, "context_hash"):
            size += " (older build files: run `make test-arm64`)"
        smoke = entry["smoke"].replace("|", "\\|")
        here = figure_text.megabytes(data.image_field(spec.name, "size_bytes"))
        lines.append(f"| {spec.name} | {here} | {size} | `{smoke}` |")
    return "\n".join(lines) + "\n"
