"""Build times as page macros: each image's cold and warm build (`make measure`) and the
one-off comparison of pip and uv on the backend's lock (`make measure-installers`).

Plain functions over a `Measurements`, merged into the figure macros by
`papertrade_docs.macros.figures`; each raises `MeasurementsError` naming the key and the
command that makes it when a figure is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import INSTALLER_STEPS, Measurements, MeasurementsError

BUILD_KINDS = {"cold": "cold_build_seconds", "warm": "warm_build_seconds"}
# What each timed part of the comparison is, as the page's table says it.
PARTS = {
    "build": "whole build of the target",
    "venv": "a venv with ensurepip's pip",
    "tool": "a venv with ensurepip's pip, then uv by it (requirements-build.txt)",
    "lock": "the lock, by hash, then a dependency check",
}


def build_time_macros(measurements: Callable[[], Measurements]) -> dict[str, Callable]:
    """Macro name -> function; `measurements` is called when a macro first needs data."""

    def build_time(name: str, kind: str = "cold") -> str:
        return figure_text.seconds(measurements().image_field(name, _kind(kind)))

    def build_times_table() -> str:
        return render_build_times_table(measurements())

    def build_definition(kind: str = "cold") -> str:
        """What a cold (or warm) build is, in the words the data file records."""
        _kind(kind)
        return measurements().measured["how"][f"{kind}_build"]

    def installer_time(name: str, part: str = "build") -> str:
        return figure_text.seconds(_installer(measurements(), name, part))

    def installers_table() -> str:
        return render_installers_table(measurements())

    def installers_measured_on() -> str:
        return render_installers_measured_on(measurements().installers())

    def installers_verdict(part: str = "build") -> str:
        if part not in ("build", "lock"):
            raise MeasurementsError(f"installers_verdict({part!r}): only 'build' or 'lock'")
        return render_installers_verdict(measurements(), part)

    return {
        f.__name__: f
        for f in (
            build_time,
            build_times_table,
            build_definition,
            installer_time,
            installers_table,
            installers_measured_on,
            installers_verdict,
        )
    }


def render_build_times_table(data: Measurements) -> str:
    lines = ["| Image | Cold build | Warm rebuild |", "| --- | ---: | ---: |"]
    for spec in IMAGES:
        cold = data.image_field(spec.name, "cold_build_seconds")
        warm = data.image_field(spec.name, "warm_build_seconds")
        lines.append(
            f"| `{data.image_field(spec.name, 'image')}` | {figure_text.seconds(cold)} "
            f"| {figure_text.seconds(warm)} |"
        )
    return "\n".join(lines) + "\n"


def render_installers_table(data: Measurements) -> str:
    section = data.installers()
    tries = section["how"]["tries"]
    lines = [
        f"| Installer | What is timed | Median of {tries} | Each try |",
        "| --- | --- | ---: | --- |",
    ]
    for name, steps in INSTALLER_STEPS.items():
        figures_ = section["installers"][name]
        for part in ("build", *steps):
            samples = ", ".join(figure_text.seconds(s) for s in figures_["samples"][part])
            label = f"{name} {figures_['version']}" if part == "build" else ""
            lines.append(
                f"| {label} | {PARTS[part]} "
                f"| {figure_text.seconds(_installer(data, name, part))} | {samples} |"
            )
    return "\n".join(lines) + "\n"


def render_installers_measured_on(section: dict[str, Any]) -> str:
    measured = section["measured"]
    when = datetime.fromisoformat(measured["when"])
    machine = measured["machine"]
    cpus = machine["cpus"]
    lock = section["lock"]
    load = measured.get("load_average") or []
    load_text = (
        f"; load average {load[0]:.2f} before, {load[1]:.2f} after" if len(load) == 2 else ""
    )
    packages = f" ({lock['packages']} packages)" if lock.get("packages") else ""
    return (
        f"Compared on {when:%Y-%m-%d at %H:%M} UTC by `{measured['command']}` on "
        f"{cpus} CPU{'s' if cpus != 1 else ''}, {machine['architecture']}, with Docker "
        f"Engine {measured.get('engine_version', '?')}{load_text}: medians of "
        f"{section['how']['tries']} cold tries each, installing `{lock['file']}`{packages}."
    )


def render_installers_verdict(data: Measurements, part: str = "build") -> str:
    """Whether uv was faster than pip at `part`, as far as the tries can tell.

    Faster or slower only when every try of one beat every try of the other; otherwise
    the tries overlap, and the medians are given without a verdict they cannot carry.
    """
    section = data.installers()
    pip_tries = section["installers"]["pip"]["samples"][part]
    uv_tries = section["installers"]["uv"]["samples"][part]
    pip, uv = _installer(data, "pip", part), _installer(data, "uv", part)
    medians = f"uv {figure_text.seconds(uv)}, pip {figure_text.seconds(pip)}; medians"
    if max(uv_tries) < min(pip_tries):
        return f"faster in every try ({medians})"
    if min(uv_tries) > max(pip_tries):
        return f"slower in every try ({medians})"
    return f"neither faster nor slower beyond the spread of the tries ({medians})"


def _installer(data: Measurements, name: str, part: str) -> float:
    section = data.installers()
    if name not in INSTALLER_STEPS:
        raise MeasurementsError(
            f"no installer {name!r} in the comparison (known: {', '.join(INSTALLER_STEPS)})"
        )
    if part != "build" and part not in INSTALLER_STEPS[name]:
        raise MeasurementsError(
            f"installer {name!r} has no step {part!r} "
            f"(known: build, {', '.join(INSTALLER_STEPS[name])})"
        )
    return section["installers"][name][f"{part}_seconds"]


def _kind(kind: str) -> str:
    if kind not in BUILD_KINDS:
        raise MeasurementsError(
            f"no build kind {kind!r} (known: {', '.join(BUILD_KINDS)})"
        )
    return BUILD_KINDS[kind]
