"""`requires="name"`: the project's conditions, each a shell probe run once per run.

`check_defined` is the one check that a block names a defined condition (the page is
refused otherwise); `Probes` decides whether a condition holds.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from execdocs.model import InvalidPage, Origin

PROBE_TIMEOUT = 120  # seconds, for a condition's probe


def check_defined(name: str, conditions: Mapping[str, str], origin: Origin) -> None:
    """Raise `InvalidPage` at `origin` when `requires=name` names no defined condition."""
    if name in conditions:
        return
    defined = ", ".join(sorted(conditions)) or "none"
    raise InvalidPage(
        origin,
        f"requires={name!r} names no condition of the project (defined: {defined}); add it"
        " under the execdocs plugin's `conditions:` in mkdocs.yml (given with --config, or"
        " ./mkdocs.yml)",
    )


class Probes:
    """The conditions of one run, each probed once, from the project's root."""

    def __init__(self, conditions: Mapping[str, str], project_root: Path):
        self.conditions = dict(conditions)
        self.project_root = project_root
        self._held: dict[str, bool] = {}

    def holds(self, name: str, origin: Origin) -> bool:
        """Whether condition `name` holds: its probe exits 0 within PROBE_TIMEOUT."""
        check_defined(name, self.conditions, origin)
        if name not in self._held:
            try:
                probe = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-c", self.conditions[name]],
                    cwd=self.project_root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=PROBE_TIMEOUT,
                )
                self._held[name] = probe.returncode == 0
            except subprocess.TimeoutExpired:
                self._held[name] = False
        return self._held[name]
