"""PaperTrade's own pieces of the docs: macros, measurements, the environment
reference and progress notes. The generic runner lives in `execdocs`."""

from __future__ import annotations

from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "mkdocs.yml")


def project_root() -> Path:
    """The checkout this package runs from: the nearest folder above the package that
    holds pyproject.toml and mkdocs.yml (`make setup` installs it editable, from src/)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if all((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    raise RuntimeError(
        f"{here}: no folder above it holds {' and '.join(PROJECT_MARKERS)}; "
        "install the project editable from its checkout (`make setup`)"
    )
