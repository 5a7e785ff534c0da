"""The run's coverage summary: per page, blocks run, passed, failed and skipped (with the
reasons), and the share of shell and console blocks that were executed. Printed as a
table at the end of a run, and written as JSON for the site and CI."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from execdocs.atomic import write_atomically
from execdocs.results import PageResult

DEFAULT_JSON = Path("build/execdocs/coverage.json")
EXECUTABLE_KINDS = ("shell", "console")  # the share is of these


@dataclass
class PageCoverage:
    page: str
    status: str  # passed, failed, skipped, invalid
    run: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_run: int = 0  # after the page's first failure
    skip_reasons: list[str] = field(default_factory=list)
    invalid: str = ""  # why the page was refused
    shell_console_blocks: int = 0
    shell_console_executed: int = 0
    seconds: float = 0.0


def page_coverage(result: PageResult) -> PageCoverage:
    status = "skipped" if result.skipped else "passed" if result.passed else "failed"
    counted = PageCoverage(page_name(result.path), status, seconds=round(result.seconds, 3))
    if result.skipped:
        counted.skip_reasons.append(f"page: {result.skipped}")
    for block_result in result.blocks:
        state = block_result.status
        if state == "shown":
            continue
        if state in ("passed", "failed"):
            counted.run += 1
        if state == "passed":
            counted.passed += 1
        elif state == "failed":
            counted.failed += 1
        elif state == "skipped":
            counted.skipped += 1
            if not result.skipped:
                counted.skip_reasons.append(
                    f"{block_result.block.origin}: {block_result.reason}")
        else:
            counted.not_run += 1
        if block_result.block.kind in EXECUTABLE_KINDS:
            counted.shell_console_blocks += 1
            counted.shell_console_executed += state in ("passed", "failed")
    return counted


def invalid_page_coverage(path: Path | str, message: str) -> PageCoverage:
    return PageCoverage(page_name(path), "invalid", invalid=message)


def this_run(root: Path | None = None) -> dict[str, str | None]:
    """Which run a summary comes from, so that shards of different runs never merge: the
    checkout's commit (`git rev-parse HEAD`; uncommitted changes are not told apart) and
    the run's id, $EXECDOCS_RUN_ID or else GitHub Actions' $GITHUB_RUN_ID (None locally)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root or Path.cwd(),
                                capture_output=True, text=True, timeout=30,
                                check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None  # not a git checkout, or no git
    return {"commit": commit,
            "id": os.environ.get("EXECDOCS_RUN_ID") or os.environ.get("GITHUB_RUN_ID")}


@dataclass
class Summary:
    pages: list[PageCoverage]
    run: dict[str, Any] | None = None  # this_run()
    # A shard's: {"index", "count", "pages": its own, "all_pages": every shard's}.
    shard: dict[str, Any] | None = None
    # With --record: what the run recorded of its pages (page key -> entry), so that a
    # shard's summary carries what the merge writes into the recordings file.
    recordings: dict[str, Any] | None = None
    shards: int | None = None  # a merged summary's number of shards

    @property
    def executed_share(self) -> float | None:
        """Executed shell and console blocks over all of them; None when there are none."""
        total = sum(page.shell_console_blocks for page in self.pages)
        executed = sum(page.shell_console_executed for page in self.pages)
        return executed / total if total else None

    def as_json(self) -> dict:
        totals = {key: sum(getattr(page, key) for page in self.pages)
                  for key in ("run", "passed", "failed", "skipped", "not_run",
                              "shell_console_blocks", "shell_console_executed")}
        data: dict[str, Any] = {}
        if self.run is not None:
            data["run"] = self.run
        if self.shard is not None:
            data["shard"] = self.shard
        if self.shards is not None:
            data["shards"] = self.shards
        data["pages"] = [asdict(page) for page in self.pages]
        data["totals"] = {**totals, "executed_share": self.executed_share}
        if self.recordings is not None:
            data["recordings"] = self.recordings
        return data

    @classmethod
    def load(cls, path: Path) -> Summary:
        """A summary as `write_json` wrote it; raises `CoverageError` otherwise."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            pages = [PageCoverage(**page) for page in data["pages"]]
        except FileNotFoundError:
            raise CoverageError(f"{path}: no such file") from None
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise CoverageError(f"{path}: not a coverage summary written by execdocs"
                                f" ({error.__class__.__name__}: {error})") from None
        return cls(pages, run=data.get("run"), shard=data.get("shard"),
                   recordings=data.get("recordings"), shards=data.get("shards"))

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(self.as_json(), indent=2) + "\n")

    def table(self) -> str:
        header = ("page", "status", "run", "passed", "failed", "skipped", "shell+console run")
        rows = [header] + [
            (page.page, page.status, str(page.run), str(page.passed), str(page.failed),
             str(page.skipped), _share(page.shell_console_executed, page.shell_console_blocks))
            for page in self.pages
        ]
        widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
        lines = ["  ".join(cell.ljust(widths[k]) for k, cell in enumerate(row)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        share = self.executed_share
        lines.append("")
        lines.append("shell and console blocks executed: "
                     + ("none on these pages" if share is None else f"{share:.0%}"))
        reasons = [(page.page, reason) for page in self.pages for reason in page.skip_reasons]
        if reasons:
            lines.append("skipped:")
            lines += [f"  {reason}" if reason.startswith(page) else f"  {page}: {reason}"
                      for page, reason in reasons]
        invalid = [page.invalid for page in self.pages if page.invalid]
        if invalid:
            lines.append("invalid:")
            lines += [f"  {message}" for message in invalid]
        return "\n".join(lines)


class CoverageError(ValueError):
    """A coverage summary that cannot be read, or summaries that cannot be merged."""


def summarize(results: Sequence[PageResult], invalid: Sequence[tuple[str, str]] = ()) -> Summary:
    pages = [page_coverage(result) for result in results]
    pages += [invalid_page_coverage(path, message) for path, message in invalid]
    return Summary(pages)


def page_name(path: Path | str) -> str:
    """A page's name in the summary: its path as the user gave it, relative to the current
    directory when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _share(done: int, total: int) -> str:
    return f"{done}/{total}" if total else "-"
