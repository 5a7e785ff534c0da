"""The site speaks to readers: the built pages never refer to the project's own history
("the earlier docs", "the project's issue"), to the machine the figures were measured
on by its kernel, or to the test suite's inner workings; skip reasons (shown in the
run's summary) are reasons a reader would accept; and no heading carries a figure, so
anchors stay the same when the figures change.

The site is built for real (`mkdocs build --strict`, about two seconds, no Docker).
Progress notes are dated records written by contributors for contributors: the phrase
scan leaves them out, the heading check does not.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from execdocs.model import Origin
from execdocs.options import parse_info
from papertrade_docs.lint.blocks import page_fences

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NOTES = "progress"

# Words for insiders, as they would show on a page; matched case-insensitively, with
# typographic apostrophes read as plain ones.
INSIDER_PHRASES = (
    "the earlier docs",
    "earlier docs stated",
    "the project's issue",
    "the measuring machine",
    "the test suite runs every page",
    "in a fresh copy of the repository",
)
# A kernel's version string: `Linux 6.18.44`, `6.18.44-fc-v657`.
KERNEL = re.compile(r"\bLinux \d+\.\d+(?:\.\d+)?\b|\b\d+\.\d+\.\d+-[a-z]+-v\d+\b")
# Words of the machinery a skip reason must not lean on: it is read by whoever runs the
# pages, as a reason for not running a command they can see.
INSIDER_REASON_WORDS = re.compile(r"\b(?:test suite|execdocs|pytest|the runner)\b", re.I)
SIZE = re.compile(r"\d+(?:[.,]\d+)?\s?(?:[KMGT]i?B|kB)\b")
HEADING = re.compile(r"<h(?P<level>[1-6])\b[^>]*>(?P<inner>.*?)</h(?P=level)>", re.S)
ARTICLE = re.compile(r'<article class="md-content__inner[^"]*"[^>]*>(?P<body>.*?)</article>', re.S)
TAG = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", fragment)).replace("\u2019", "'").split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(directory)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if result.returncode != 0:
        pytest.fail("mkdocs build --strict failed; run 'make build' to see all of it:\n"
                    + "\n".join(line for line in result.stderr.splitlines()
                                if "WARNING" in line or "ERROR" in line or "Aborted" in line),
                    pytrace=False)
    return directory


def pages(site: Path, notes: bool) -> dict[str, str]:
    """Page path (as in the URL) -> its HTML, with or without the progress notes."""
    found = {}
    for path in sorted(site.rglob("index.html")):
        relative = path.parent.relative_to(site).as_posix()
        relative = "" if relative == "." else f"{relative}/"
        if notes or not relative.startswith(f"{NOTES}/"):
            found[relative] = path.read_text(encoding="utf-8")
    return found


def insider_words(text: str) -> list[str]:
    lowered = text.lower()
    return [phrase for phrase in INSIDER_PHRASES if phrase in lowered] + [
        match.group() for match in KERNEL.finditer(text)
    ]


def figures_in_headings(page_html: str) -> list[str]:
    headings = (text_of(m.group("inner")).rstrip("\u00b6 ") for m in HEADING.finditer(page_html))
    return [heading for heading in headings if SIZE.search(heading)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The earlier docs stated 186 MB.", ["the earlier docs", "earlier docs stated"]),
        ("as stated in the project\u2019s issue", ["the project's issue"]),
        ("(2 CPUs, Linux 6.18.44); reload", ["Linux 6.18.44"]),
        ("kernel 6.18.44-fc-v657", ["6.18.44-fc-v657"]),
        ("PaperTrade's previous images; Python 3.13.5; (2 CPUs, x86_64)", []),
    ],
)
def test_the_scan_finds_insider_words(text, found):
    assert insider_words(text_of(text)) == found


@pytest.mark.parametrize(
    ("page_html", "found"),
    [
        ('<h2 id="backend-production-75-mb">Backend, production: 75 MB<a>&para;</a></h2>',
         ["Backend, production: 75 MB"]),
        ("<h3>About 1.5 GB</h3><p>74 MB</p>", ["About 1.5 GB"]),
        ("<h2>PostgreSQL 17</h2><h2>Redis 8</h2>", []),
    ],
)
def test_the_scan_finds_figures_in_headings(page_html, found):
    assert figures_in_headings(page_html) == found


def test_no_page_speaks_of_the_project_s_history_the_kernel_or_the_test_suite(site):
    problems = []
    for path, page_html in pages(site, notes=False).items():
        article = ARTICLE.search(page_html)
        text = text_of(article.group("body") if article else page_html)
        problems += [f"/{path}: {words!r}" for words in insider_words(text)]
    assert not problems, "words for insiders on the site:\n" + "\n".join(problems)


def test_the_kernel_of_the_measurements_shows_nowhere(site):
    measured = json.loads((DOCS / "data" / "measurements.json").read_text())["measured"]
    kernel = measured["where"]["kernel"]
    assert kernel, "docs/data/measurements.json records no kernel: pick another check"
    shown = [f"/{path}" for path, page_html in pages(site, notes=True).items()
             if kernel in page_html]
    assert not shown, f"the measuring machine's kernel {kernel!r} shows on: {shown}"


def test_no_heading_carries_a_figure(site):
    problems = [
        f"/{path}: {heading!r}"
        for path, page_html in pages(site, notes=True).items()
        for heading in figures_in_headings(page_html)
    ]
    assert not problems, (
        "headings with a figure (its anchor changes with the figure; put the figure in "
        "the text under the heading):\n" + "\n".join(problems)
    )


def test_the_previous_images_are_introduced_with_their_date(site):
    text = text_of(ARTICLE.search((site / "docker" / "images" / "index.html").read_text())
                   .group("body"))
    assert re.search(r"PaperTrade's previous images[^.]*\b\d{1,2} [A-Z][a-z]+ \d{4}\b", text), (
        "the images page introduces PaperTrade's previous images without their date"
    )


def test_every_skip_reason_is_one_a_reader_would_accept():
    problems = []
    for page in sorted(DOCS.rglob("*.md")):
        if page.relative_to(DOCS).parts[0] == NOTES:
            continue
        for fence in page_fences(page):
            origin = Origin(page, fence.open_line + 1)
            _, options = parse_info(fence.info, origin)
            reason = options.get("reason", "")
            where = f"{page.relative_to(ROOT)}:{fence.open_line + 1}"
            problems += [f"{where}: {words!r} in {reason!r}"
                         for words in insider_words(reason)]
            problems += [f"{where}: {m.group()!r} in {reason!r}"
                         for m in INSIDER_REASON_WORDS.finditer(reason)]
    assert not problems, (
        "skip reasons that speak of the machinery (say why a reader's run would not run "
        "the command):\n" + "\n".join(problems)
    )
