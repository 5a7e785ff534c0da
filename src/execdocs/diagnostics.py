"""What a failure report shows beside the failing command: for each Compose project the
page started, `docker compose ps` and the last lines of each service's log, and the last
lines of each background block's output."""

from __future__ import annotations

import subprocess
from pathlib import Path

from execdocs import cleanup, sandbox, translate
from execdocs.docker_engine import Engine, EngineError

LOG_TAIL = 20  # lines of each service's and background block's log in a failure report


def page_diagnostics(engine: Engine, copy: Path, directory: Path,
                     background_logs: list[Path]) -> list[str]:
    """The page's Compose state and background output, or one line saying why the
    Compose state could not be collected (the report goes on without it)."""
    try:
        return _collect(engine, copy, directory, background_logs)
    except (OSError, subprocess.SubprocessError, EngineError) as error:
        return [f"(the Compose state could not be collected: {error})"]


def _collect(engine: Engine, copy: Path, directory: Path,
             background_logs: list[Path]) -> list[str]:
    found = []
    # An isolated page's projects, ports and images under the names the page shows.
    shown_as = translate.OutputTranslator(
        translate.Names(str(directory / sandbox.NAMES)).load(),
        translate.load_ports(str(directory / sandbox.PORTS)),
        translate.Names(str(directory / sandbox.IMAGES)).load())
    for project in sorted(cleanup.page_compose_projects(engine, copy, directory)):
        report = engine.compose_report(project, LOG_TAIL)
        found.append(shown_as(report.encode()).decode(errors="replace"))
    for log in background_logs:
        lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL:] if log.exists() else []
        found.append(f"last lines of the background block's output ({log.name}):\n"
                     + "\n".join(lines))
    return found
