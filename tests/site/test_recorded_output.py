"""The site shows what the commands printed, never the matcher's patterns, and each page
that runs says when its blocks last ran (docs/data/recorded-output.json, `make record`).

The HTML checks read the strict build; the screenshot is of a page with recorded output
and its footer in headless chromium (artifacts/screenshots/recorded-output-*.png).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from execdocs.recorded_view import FOOTER_CLASS
from execdocs.recordings import Recordings, mask
from papertrade_docs.macros.coverage import RECORDINGS_FILE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_BLOCK = re.compile(
    r'<div class="language-console highlight">.*?<code>(?P<code>.*?)</code></pre>', re.DOTALL)


def console_blocks(page_html: str) -> list[list[str]]:
    """The lines of each console code block of a page, as text."""
    return [html.unescape(re.sub(r"<[^>]+>", "", found["code"])).split("\n")
            for found in CONSOLE_BLOCK.finditer(page_html)]


def output_lines(block: list[str]) -> list[str]:
    """A console block's output lines: not a command (`$ `) nor a continuation (`> `)."""
    return [line for line in block if not line.startswith(("$ ", "> "))]


def recorded_lines() -> set[str]:
    """Every line a command printed in the recorded run, as the site shows it: `...` in
    one of them is what the program printed (`Reloading...`), not a pattern."""
    return {mask(line) for recording in Recordings.load(ROOT / RECORDINGS_FILE)
            for block in recording.blocks for command in block.get("commands", [])
            for line in command.get("output") or []}


def test_no_console_block_shows_a_pattern(built_site):
    printed = {line.strip() for line in recorded_lines()}
    found = []
    for path in sorted(built_site.directory.rglob("*.html")):
        for block in console_blocks(path.read_text(encoding="utf-8")):
            found += [f"{path.relative_to(built_site.directory)}: {line}"
                      for line in output_lines(block)
                      if line.rstrip().endswith(" (re)")
                      or ("..." in line and line.strip() not in printed)]
    assert found == [], "patterns on the site (run `make record`):\n" + "\n".join(found)


def shown_lines(built_site, page: str) -> list[str]:
    html = (built_site.directory / page / "index.html").read_text()
    return [line for block in console_blocks(html) for line in output_lines(block)]


def test_no_page_shows_a_password(built_site):
    # The passwords the pages generate are 48 hexadecimal digits; the recording masks any
    # that a command prints (tests/unit/execdocs/test_recordings.py), and production's
    # now live in files no block prints.
    found = [f"{path.relative_to(built_site.directory)}: {line}"
             for path in sorted(built_site.directory.rglob("*.html"))
             for block in console_blocks(path.read_text(encoding="utf-8"))
             for line in output_lines(block)
             if re.search(r"(?<![0-9a-f])[0-9a-f]{48}(?![0-9a-f])", line)]
    assert found == []


def test_every_page_that_runs_says_when_its_blocks_ran(built_site):
    recordings = Recordings.load(ROOT / RECORDINGS_FILE)
    missing = []
    for recording in recordings:
        _, runnable, _ = recording.counts()
        if runnable == 0:
            continue
        page = Path(recording.key).relative_to("docs").with_suffix("")
        built = built_site.directory / (
            "index.html" if page.name == "index" and page.parent == Path(".")
            else (page.parent if page.name == "index" else page) / "index.html")
        text = built.read_text(encoding="utf-8")
        footer = re.search(rf'<p class="{FOOTER_CLASS}"><small>(.*?)</small></p>', text)
        if footer is None or "ran on" not in footer.group(1):
            missing.append(recording.key)
    assert missing == []


def test_screenshot_of_recorded_output_and_the_footer(open_page, screenshots_dir):
    page, visit = open_page("docker/production/")
    # `ls -ln secrets`: recorded output in place of the page's patterns (dates, sizes).
    block = page.locator(".language-console", has_text="ls -ln secrets").first
    block.scroll_into_view_if_needed()
    target = screenshots_dir / "recorded-output-production.png"
    block.screenshot(path=str(target))
    footer = page.locator(f".{FOOTER_CLASS}")
    assert footer.is_visible()
    assert re.match(r"Every block on this page ran on \d{4}-\d\d-\d\d, Docker Engine ",
                    footer.inner_text())
    footer.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "recorded-output-footer.png"))
    assert target.stat().st_size > 2_000
    assert visit.console_errors == [] and visit.foreign_requests == []
