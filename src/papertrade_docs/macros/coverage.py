"""The last executable-docs run, summarised for the landing page.

`make record` runs every page and commits how each ran (when, on which Docker engine and
platform, each block's status, skip reasons) with what each console command printed, in
docs/data/recorded-output.json (`RECORDINGS_FILE`, the file mkdocs.yml names for the
Markdown extension). The summary reads it, so a site built without Docker (the Pages
workflow) shows the proof of the last run.

No file, or no page in it: the page says so instead of showing a figure. A file that is
there but unreadable fails the build, so a page never shows a summary that was not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from execdocs import Recordings, RecordingsError

RECORDINGS_FILE = Path("docs/data/recorded-output.json")
EXECUTABLE_KINDS = ("shell", "console")  # the share is of these, as in the runner's summary


class CoverageError(ValueError):
    """The recordings file is there but does not hold what the summary needs."""


@dataclass(frozen=True)
class LastRun:
    pages: int
    passed: int  # blocks that ran and passed
    runnable: int  # blocks meant to run (shown-only blocks aside)
    failed_pages: tuple[str, ...]
    skipped: tuple[str, ...]  # `file:line: reason`, one per skipped block (or page)
    days: tuple[str, ...]  # the days the pages ran, in order
    machines: tuple[str, ...]  # "Docker Engine 28.1 on linux/amd64", each once
    executed_share: float | None  # shell and console blocks executed, over all of them


def read_last_run(path: Path) -> LastRun | None:
    try:
        recordings = Recordings.load(path)
    except RecordingsError as error:
        raise CoverageError(str(error)) from None
    pages = list(recordings)
    if not pages:
        return None
    passed = runnable = executable = executed = 0
    skipped: list[str] = []
    failed, days, machines = [], set(), {}
    for page in pages:
        data = page.data
        page_passed, page_runnable, reasons = page.counts()
        passed, runnable = passed + page_passed, runnable + page_runnable
        skipped += reasons
        if data.get("result") == "failed":
            failed.append(page.key)
        days.add(str(data.get("ran", ""))[:10])
        machines.setdefault(f"{data.get('engine', '?')} on {data.get('platform', '?')}")
        for block in page.blocks:
            if block.get("kind") in EXECUTABLE_KINDS:
                executable += 1
                executed += block.get("status") in ("passed", "failed")
    return LastRun(
        pages=len(pages), passed=passed, runnable=runnable, failed_pages=tuple(failed),
        skipped=tuple(skipped), days=tuple(sorted(days)), machines=tuple(machines),
        executed_share=executed / executable if executable else None,
    )


def render_last_run(run: LastRun | None) -> str:
    if run is None:
        return (
            "No recorded run of the executable docs yet: `make record` runs every block of "
            "every page and commits the summary shown here."
        )
    when = (f"on {run.days[0]}" if len(run.days) == 1
            else f"between {run.days[0]} and {run.days[-1]}")
    share = (
        "" if run.executed_share is None
        else f" {run.executed_share:.0%} of the shell and console blocks ran."
    )
    failed = (
        "" if not run.failed_pages
        else "; **failed on " + ", ".join(f"`{page}`" for page in run.failed_pages) + "**"
    )
    text = (
        f"Every page last ran {when} with {' and '.join(run.machines)}: {run.pages} pages,"
        f" {run.passed} of {run.runnable} blocks passed{failed}.{share} Each page's last"
        " line says when its own blocks ran."
    )
    if run.skipped:
        text += "\n\nSkipped, each with its reason:\n\n" + "\n".join(
            f"- `{reason.split(': ', 1)[0]}`: {reason.split(': ', 1)[-1]}"
            for reason in run.skipped)
    return text
