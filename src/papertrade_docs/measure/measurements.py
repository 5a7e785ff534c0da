"""docs/data/measurements.json: read it, check its shape, write it atomically.

Every figure the site shows comes from this file, and `make measure` is the only thing
that writes it. A missing or malformed figure is an error that names the key and says
to run `make measure`: a page never shows a stale or invented number.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from execdocs import write_atomically as replace_file
from papertrade_docs.measure.images import IMAGES, STACK_COMPOSE_FILES, STACK_FIGURES

DATA_FILE = Path("docs/data/measurements.json")  # relative to the project root
REMEDY = "run `make measure`"
INSTALLERS_REMEDY = "run `make measure-installers`"
SWARM_REMEDY = ("run `make measure` (or its swarm step alone: "
                "`python -m papertrade_docs.measure --swarm`)")
# The rolling update on a swarm (`swarm`, see src/papertrade_docs/measure/swarm_update.py).
SWARM_FIGURES: dict[str, type | tuple[type, ...]] = {
    "rolling_update_seconds": (int, float),
    "update_requests": int,
    "update_failed_requests": int,
}
# Sections another command writes, which `make measure` keeps as they are.
KEPT_SECTIONS = ("installers", "platforms", "swarm")

IMAGE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "image": str,
    "size_bytes": int,
    "layers": int,
    "cold_build_seconds": (int, float),
    "warm_build_seconds": (int, float),
    "base_image": str,
    "provenance": dict,
    "context_hash": str,
}
WHERE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "engine_version": str,
    "compose_version": str,
    "cpus": int,
    "kernel": str,
}
HOW_FIELDS: dict[str, type | tuple[type, ...]] = {
    "command": str,
    "tries": int,
    "cold_build": str,  # what a cold build is, in words the page can quote
    "warm_build": str,
}
# The installer comparison (`installers`, written by `make measure-installers`): each
# installer's RUN steps, in the order installers.Dockerfile runs them.
INSTALLER_STEPS: dict[str, tuple[str, ...]] = {"pip": ("venv", "lock"), "uv": ("tool", "lock")}


class MeasurementsError(LookupError):
    """A figure that is missing or malformed; the message says what to do."""


class Measurements:
    """Checked figures, looked up by the names the pages use."""

    def __init__(self, data: dict[str, Any], source: Path | str = DATA_FILE):
        self.source = str(source)
        validate(data, self.source)
        self.data = data

    def image(self, name: str) -> dict[str, Any]:
        images = self.data["images"]
        if name not in images:
            known = ", ".join(sorted(images))
            raise MeasurementsError(
                f"{self.source}: no image {name!r} under `images` (measured: {known}); "
                f"add it to src/papertrade_docs/measure/images.py and {REMEDY}"
            )
        return images[name]

    def image_field(self, name: str, field: str) -> Any:
        figures = self.image(name)
        if field not in figures:
            raise MeasurementsError(
                f"{self.source}: no figure images.{name}.{field} "
                f"(have: {', '.join(sorted(figures))}); {REMEDY}"
            )
        return figures[field]

    def base_image(self, reference: str) -> dict[str, Any]:
        bases = self.data["base_images"]
        if reference not in bases:
            raise MeasurementsError(
                f"{self.source}: no base image {reference!r} under `base_images` "
                f"(measured: {', '.join(sorted(bases)) or 'none'}); {REMEDY}"
            )
        return bases[reference]

    def stack(self, key: str) -> float:
        stack = self.data["stack"]
        if key not in stack:
            raise MeasurementsError(
                f"{self.source}: no figure stack.{key} (have: {', '.join(sorted(stack))}); {REMEDY}"
            )
        return stack[key]

    @property
    def measured(self) -> dict[str, Any]:
        return self.data["measured"]

    def swarm(self, key: str) -> float:
        """A figure of the rolling update on a swarm (Scaling out)."""
        section = self.data.get("swarm")
        if section is None or key not in section:
            raise MeasurementsError(f"{self.source}: no figure swarm.{key}; {SWARM_REMEDY}")
        return section[key]

    def installers(self) -> dict[str, Any]:
        """The pip-and-uv comparison; it has a command of its own, so it may be absent."""
        if "installers" not in self.data:
            raise MeasurementsError(
                f"{self.source}: no `installers` section (the comparison of pip and uv); "
                f"{INSTALLERS_REMEDY}"
            )
        return self.data["installers"]


def load(path: Path) -> Measurements:
    if not path.is_file():
        raise MeasurementsError(f"{path} does not exist: {REMEDY} to create it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MeasurementsError(
            f"{path}:{error.lineno}: not valid JSON ({error.msg}); {REMEDY} to rewrite it"
        ) from None
    return Measurements(data, _display(path))


def validate(data: Any, source: str = str(DATA_FILE)) -> None:
    """Raise MeasurementsError naming the first key that is missing or of the wrong type."""
    _require(data, "", dict, source)
    for section in ("measured", "base_images", "images", "stack"):
        _require(data.get(section), section, dict, source)
    for reference, figures in data["base_images"].items():
        _require(figures, f"base_images.{reference}", dict, source)
        _require(figures.get("size_bytes"), f"base_images.{reference}.size_bytes", int, source)
        _require(figures.get("provenance"), f"base_images.{reference}.provenance", dict, source)
    measured = data["measured"]
    _require(measured.get("when"), "measured.when", str, source)
    try:
        datetime.fromisoformat(measured["when"])
    except ValueError:
        _fail(source, "measured.when", "is not an ISO 8601 time")
    for part, fields in (("where", WHERE_FIELDS), ("how", HOW_FIELDS)):
        _require(measured.get(part), f"measured.{part}", dict, source)
        for field, kind in fields.items():
            _require(measured[part].get(field), f"measured.{part}.{field}", kind, source)
    for image in IMAGES:
        key = f"images.{image.name}"
        figures = data["images"].get(image.name)
        _require(figures, key, dict, source)
        for field, kind in IMAGE_FIELDS.items():
            _require(figures.get(field), f"{key}.{field}", kind, source)
        for field in ("size_bytes", "layers", "cold_build_seconds", "warm_build_seconds"):
            if figures[field] <= 0:
                _fail(source, f"{key}.{field}", "must be positive")
        if not figures["context_hash"].startswith("sha256:"):
            _fail(source, f"{key}.context_hash", "must start with 'sha256:'")
    _require(data.get("compose_files"), "compose_files", dict, source)
    for name in STACK_COMPOSE_FILES:
        _require(data["compose_files"].get(name), f"compose_files.{name}", str, source)
    for name in STACK_FIGURES:
        value = data["stack"].get(name)
        _require(value, f"stack.{name}", (int, float), source)
        if value <= 0:
            _fail(source, f"stack.{name}", "must be a positive number of seconds")
    if "installers" in data:
        validate_installers(data["installers"], source)
    if "platforms" in data:
        validate_platforms(data["platforms"], source)
    if "swarm" in data:
        validate_swarm(data["swarm"], source)


def validate_platforms(section: Any, source: str = str(DATA_FILE)) -> None:
    """`platforms`: per platform (`linux/arm64`), when and how, and each image's size,
    layers, build-context hash and smoke (`make test-arm64`)."""
    _require(section, "platforms", dict, source)
    for platform, figures in section.items():
        key = f"platforms.{platform}"
        _require(figures, key, dict, source)
        _require(figures.get("measured"), f"{key}.measured", dict, source)
        _require(figures["measured"].get("when"), f"{key}.measured.when", str, source)
        how = figures["measured"].get("how", {})
        seconds = how.get("seconds")
        if seconds is not None and (isinstance(seconds, bool)
                                    or not isinstance(seconds, int | float) or seconds <= 0):
            _fail(source, f"{key}.measured.how.seconds", "must be a number above 0")
        if how.get("build_cache", "none") not in ("none", "reused"):
            _fail(source, f"{key}.measured.how.build_cache", "must be 'none' or 'reused'")
        _require(figures.get("images"), f"{key}.images", dict, source)
        for image in IMAGES:
            entry = figures["images"].get(image.name)
            _require(entry, f"{key}.images.{image.name}", dict, source)
            for field, kind in (("image", str), ("size_bytes", int), ("layers", int),
                                ("context_hash", str), ("smoke", str)):
                _require(entry.get(field), f"{key}.images.{image.name}.{field}", kind, source)


def validate_swarm(section: Any, source: str = str(DATA_FILE)) -> None:
    """The `swarm` section: when and how, and the figures of the rolling update."""
    _require(section, "swarm", dict, source, SWARM_REMEDY)
    _require(section.get("measured"), "swarm.measured", dict, source, SWARM_REMEDY)
    _require(section["measured"].get("when"), "swarm.measured.when", str, source, SWARM_REMEDY)
    _require(section.get("how"), "swarm.how", str, source, SWARM_REMEDY)
    for key, kind in SWARM_FIGURES.items():
        value = section.get(key)
        if isinstance(value, bool) or not isinstance(value, kind) or value < 0:
            _fail(source, f"swarm.{key}", "must be a number, 0 or more", SWARM_REMEDY)
    if section["update_requests"] <= 0 or section["rolling_update_seconds"] <= 0:
        _fail(source, "swarm", "a rolling update with no request or no time measured nothing",
              SWARM_REMEDY)


def validate_installers(section: Any, source: str = str(DATA_FILE)) -> None:
    """The `installers` section: when, on what, which lock, and each installer's medians."""

    def require(value: Any, key: str, kind: type | tuple[type, ...]) -> None:
        _require(value, key, kind, source, INSTALLERS_REMEDY)

    def fail(key: str, what: str) -> None:
        _fail(source, key, what, INSTALLERS_REMEDY)

    require(section, "installers", dict)
    measured = section.get("measured")
    require(measured, "installers.measured", dict)
    require(measured.get("when"), "installers.measured.when", str)
    try:
        datetime.fromisoformat(measured["when"])
    except ValueError:
        fail("installers.measured.when", "is not an ISO 8601 time")
    require(measured.get("command"), "installers.measured.command", str)
    machine = measured.get("machine")
    require(machine, "installers.measured.machine", dict)
    require(machine.get("cpus"), "installers.measured.machine.cpus", int)
    require(machine.get("architecture"), "installers.measured.machine.architecture", str)
    if "kernel" in machine:
        fail("installers.measured.machine.kernel", "must not be recorded (CPUs and architecture)")
    how = section.get("how")
    require(how, "installers.how", dict)
    require(how.get("cold"), "installers.how.cold", str)
    require(how.get("tries"), "installers.how.tries", int)
    lock = section.get("lock")
    require(lock, "installers.lock", dict)
    require(lock.get("file"), "installers.lock.file", str)
    require(lock.get("sha256"), "installers.lock.sha256", str)
    require(section.get("installers"), "installers.installers", dict)
    for name, steps in INSTALLER_STEPS.items():
        key = f"installers.installers.{name}"
        figures = section["installers"].get(name)
        require(figures, key, dict)
        require(figures.get("version"), f"{key}.version", str)
        require(figures.get("samples"), f"{key}.samples", dict)
        for part in ("build", *steps):
            value = figures.get(f"{part}_seconds")
            require(value, f"{key}.{part}_seconds", (int, float))
            if value <= 0:
                fail(f"{key}.{part}_seconds", "must be a positive number of seconds")
            samples = figures["samples"].get(part)
            require(samples, f"{key}.samples.{part}", list)
            if len(samples) != how["tries"]:
                fail(f"{key}.samples.{part}", f"must hold {how['tries']} tries (installers.how)")


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Validate, then replace `path` in one step: readers see the old file or the new."""
    validate(data, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, json.dumps(data, indent=2) + "\n")


def _display(path: Path) -> str:
    """The path relative to the working directory where that is shorter."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def _require(
    value: Any, key: str, kind: type | tuple[type, ...], source: str, remedy: str = REMEDY
) -> None:
    # bool is an int in Python, but never a figure.
    if value is None or isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        what = "is missing" if value is None else f"must be {_article(names)}"
        _fail(source, key or "(top level)", what, remedy)


def _fail(source: str, key: str, what: str, remedy: str = REMEDY) -> None:
    raise MeasurementsError(f"{source}: {key} {what}; {remedy}")


def _article(names: str) -> str:
    return {"str": "a string", "int": "an integer", "dict": "an object", "list": "a list"}.get(
        names, "a number" if names == "int or float" else names
    )
