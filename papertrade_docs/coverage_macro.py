"""The last executable-docs run, summarised for the landing page.

The runner writes build/execdocs/coverage.json at the end of a run. The summary reads
from it only these keys (anything else is ignored):

    {"pages": [{"page": "docs/x.md", "passed": 3, "failed": 0, "skipped": 1}, ...],
     "totals": {"executed_share": 0.97}}  # optional: share of shell/console blocks run

No file (a fresh clone, `make serve` before any test run): the page says so instead
of showing a figure. A file that is there but unreadable fails the build, so a page
never shows a summary that was not measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COVERAGE_FILE = Path("build/execdocs/coverage.json")


class CoverageError(ValueError):
    """The coverage file is there but does not hold what the summary needs."""


@dataclass(frozen=True)
class Coverage:
    pages: int
    passed: int
    failed: int
    skipped: int
    executed_share: float | None
    written: datetime


def _count(entry: dict, key: str, path: Path) -> int:
    value = entry.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CoverageError(
            f"{path}: {key!r} of page {entry.get('page')!r} is {value!r}, "
            "not a count: run the executable docs again ('make test-docs')"
        )
    return value


def read_coverage(path: Path) -> Coverage | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CoverageError(
            f"{path}: not readable JSON ({error}): run the executable docs "
            "again, or delete the file"
        ) from None
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, list) or not all(isinstance(page, dict) for page in pages):
        raise CoverageError(
            f"{path}: has no 'pages' list: run the executable docs again, or delete the file"
        )
    # The runner writes the share under "totals"; a bare top-level one is accepted too.
    totals = data.get("totals") if isinstance(data.get("totals"), dict) else {}
    share = totals.get("executed_share", data.get("executed_share"))
    if share is not None and not (isinstance(share, int | float) and 0 <= share <= 1):
        raise CoverageError(f"{path}: 'executed_share' is {share!r}, not a share between 0 and 1")
    return Coverage(
        pages=len(pages),
        passed=sum(_count(page, "passed", path) for page in pages),
        failed=sum(_count(page, "failed", path) for page in pages),
        skipped=sum(_count(page, "skipped", path) for page in pages),
        executed_share=share,
        written=datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )


def render_coverage(coverage: Coverage | None) -> str:
    if coverage is None:
        return (
            "No run of the executable docs on this machine yet: `make test` runs every "
            "block of every page and writes the summary shown here."
        )
    share = (
        ""
        if coverage.executed_share is None
        else f" {coverage.executed_share:.0%} of the shell and console blocks ran."
    )
    verdict = "all passed" if coverage.failed == 0 else f"**{coverage.failed} failed**"
    return (
        f"Last run ({coverage.written:%Y-%m-%d %H:%M} UTC): {coverage.pages} pages, "
        f"{coverage.passed} blocks passed, {coverage.skipped} skipped, {verdict}.{share}"
    )
