"""The committed recordings (docs/data/recorded-output.json, `make record`) still describe
the pages: every page `make test-docs` runs is recorded, every block of it is the one
recorded (same position, same text, after the macros), and the recorded run passed.

No Docker needed: the pages are loaded as the runner loads them, nothing is run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from execdocs import Project, load_page
from execdocs.invocation import recordings_path
from execdocs.recordings import Recordings, page_hashes, page_key
from papertrade_docs.macros.coverage import RECORDINGS_FILE

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RECORD = "run `make record` (every page, about 8 minutes with Docker) and commit the file"


def docs_pages() -> list[Path]:
    """The pages `make test-docs` runs: every page but the progress notes themselves."""
    return sorted(path for path in DOCS.rglob("*.md")
                  if not path.relative_to(DOCS).as_posix().startswith("progress/posts/"))


PAGES = docs_pages()


@pytest.fixture(scope="module")
def project():
    return Project.load(ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def committed():
    return Recordings.load(ROOT / RECORDINGS_FILE)


def test_mkdocs_yml_names_the_file_the_landing_page_reads(project):
    assert recordings_path(project) == ROOT / RECORDINGS_FILE
    assert RECORDINGS_FILE.parts[0] == "docs"  # published with the site, like measurements


def test_only_pages_that_exist_are_recorded(committed):
    keys = {page_key(page, ROOT) for page in PAGES}
    assert sorted(set(committed.pages) - keys) == [], RECORD


@pytest.mark.parametrize("path", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_the_recording_of_the_page_is_fresh_and_passed(committed, project, path):
    key = page_key(path, ROOT)
    recording = committed.page(key)
    assert recording is not None, f"{key} has never been recorded: {RECORD}"
    page = load_page(path, project)
    hashes = page_hashes(page)
    changed = [f"{block.origin}" for block, now, then in zip(
        page.blocks, hashes, [b.get("hash") for b in recording.blocks], strict=False)
        if now != then]
    if len(hashes) != len(recording.blocks):
        changed.append(f"{len(recording.blocks)} blocks recorded, {len(hashes)} now")
    assert recording.fresh(hashes), (
        f"{key} changed since it was recorded ({', '.join(changed)}): {RECORD}")
    assert recording.data["result"] in ("passed", "skipped"), (
        f"{key} failed when it was recorded: fix it, then {RECORD}")
    # A screenshot shows the sources it names (`sources=`): changed since, it is stale.
    stale = recording.stale_screenshots(ROOT, [block.options for block in page.blocks])
    assert stale == [], f"{'; '.join(stale)}: {RECORD}"


def test_every_screenshot_block_that_ran_has_its_pictures(committed, project):
    missing = [f"{page.key}:{block['line']}" for page in committed
               for block in page.blocks
               if block.get("kind") == "screenshot" and block.get("status") == "passed"
               and set(block.get("screenshot") or {}) != {"light", "dark"}]
    assert missing == [], f"screenshots without both pictures at {', '.join(missing)}: {RECORD}"
