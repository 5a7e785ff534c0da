"""Screenshot blocks without a browser: how they are written and refused, how a run's
pictures are stored with the recordings, when they are stale, and what the site shows.
(The browser taking them: tests/site/test_screenshot_block.py.)"""

from __future__ import annotations

import base64

import pytest
from page_runs import write_page

from execdocs.collect import load_page
from execdocs.markdown_extension import reader_lines
from execdocs.model import InvalidPage, Origin
from execdocs.recorded_view import RecordedView
from execdocs.recordings import Machine, Recordings, page_record, sources_hash, write
from execdocs.results import BlockResult, PageResult

PNG = {"light": b"\x89PNG light", "dark": b"\x89PNG dark"}
PAGE = """\
# App

!!! note

    ```screenshot url="http://127.0.0.1:5173/" sources="app"
    The app [before] any portfolio.
    ```
"""


def load(tmp_path, text):
    return load_page(write_page(tmp_path / "docs", text), None)


@pytest.mark.parametrize(("fence", "says"), [
    ("```screenshot\nThe app.\n```", 'add url="http://127.0.0.1:PORT/path"'),
    ('```screenshot url="127.0.0.1:5173"\nThe app.\n```', 'add url="http://'),
    ('```screenshot url="http://127.0.0.1/"\n\n```', "write what it shows"),
    ('```screenshot url="http://x/" file="a.png"\nThe app.\n```', "file= does nothing"),
    ('```console url="http://x/"\n$ true\n```', "url= goes on ```screenshot blocks only"),
    ('```text sources="app"\nx\n```', "sources= goes on ```screenshot blocks only"),
])
def test_a_malformed_screenshot_block_is_refused(tmp_path, fence, says):
    with pytest.raises(InvalidPage, match=r"page\.md:\d+: .*" + says.replace("(", r"\(")
                       .replace(".", r"\.").replace("*", r"\*").replace("`", "`")):
        load(tmp_path, f"# P\n\n{fence}\n")


def test_a_screenshot_block_is_run_with_wait_like_any_other(tmp_path):
    page = load(tmp_path, '# P\n\n```screenshot url="http://127.0.0.1/" wait="30"\nThe app.\n```\n')
    (block,) = page.blocks
    assert (block.kind, block.options["wait"]) == ("screenshot", "30")


def recorded(tmp_path, text=PAGE):
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "main.ts").write_text("console.log('v1')\n")
    page = load(tmp_path, text)
    result = PageResult(page.path, [BlockResult(block, "passed") for block in page.blocks])
    result.screenshots = {0: PNG}
    record = page_record(page, result, Machine("Docker Engine 1.2", "linux/amd64"),
                         root=tmp_path)
    path = tmp_path / "docs" / "data" / "recorded.json"
    write(path, {"docs/page.md": record}, tmp_path)
    return page, path


def test_a_run_stores_each_scheme_s_picture_as_a_file_the_recording_names(tmp_path):
    _, path = recorded(tmp_path)
    (block,) = Recordings.load(path).page("docs/page.md").blocks
    assert block["screenshot"] == {"light": "screenshots/docs-page-0-light.png",
                                   "dark": "screenshots/docs-page-0-dark.png"}
    assert (path.parent / block["screenshot"]["dark"]).read_bytes() == PNG["dark"]
    assert block["sources"] == sources_hash(tmp_path, "app")
    assert base64.b64encode(PNG["light"]).decode() not in path.read_text()


def test_pictures_no_recording_names_any_more_are_removed(tmp_path):
    page, path = recorded(tmp_path)
    result = PageResult(page.path, [BlockResult(page.blocks[0], "failed")])
    write(path, {"docs/page.md": page_record(page, result, Machine("e", "p"), root=tmp_path)},
          tmp_path)
    assert list((path.parent / "screenshots").iterdir()) == []


def test_a_picture_is_stale_when_its_sources_change_or_its_file_is_gone(tmp_path):
    page, path = recorded(tmp_path)
    recording = Recordings.load(path).page("docs/page.md")
    options = [block.options for block in page.blocks]
    assert recording.stale_screenshots(tmp_path, options) == []
    (tmp_path / "app" / "main.ts").write_text("console.log('v2')\n")
    assert recording.stale_screenshots(tmp_path, options) == [
        "docs/page.md:5: app changed since the screenshot was taken"]
    (path.parent / "screenshots" / "docs-page-0-dark.png").unlink()
    assert recording.stale_screenshots(tmp_path, options)[0] == (
        "docs/page.md:5: the screenshot file screenshots/docs-page-0-dark.png is missing")


def test_sources_that_name_nothing_are_said_to(tmp_path):
    with pytest.raises(FileNotFoundError, match='sources="gone" names gone, which holds no file'):
        sources_hash(tmp_path, "gone")


def shown(tmp_path, page, path, text=PAGE):
    warnings: list[str] = []
    view = RecordedView("docs/page.md", Recordings.load(path).page("docs/page.md"),
                        warnings.append, pictures_at="data")
    lines = text.split("\n")
    origins = [Origin(page.path, k + 1) for k in range(len(lines))]
    return "\n".join(reader_lines(lines, origins, recorded=view)), warnings


def test_the_site_shows_the_pictures_in_the_block_s_place_one_per_scheme(tmp_path):
    page, path = recorded(tmp_path)
    text, warnings = shown(tmp_path, page, path)
    assert warnings == []
    assert ("!!! note\n\n\n"
            "    ![The app \\[before\\] any portfolio.](data/screenshots/docs-page-0-light.png"
            "#only-light)\n"
            "    ![The app \\[before\\] any portfolio.](data/screenshots/docs-page-0-dark.png"
            "#only-dark)\n") in text
    assert "```" not in text and "url=" not in text


def test_an_unrecorded_screenshot_shows_its_description_and_warns(tmp_path):
    page, path = recorded(tmp_path)
    changed = PAGE.replace("The app [before]", "The app [now before]")
    text, warnings = shown(tmp_path, page, path, changed)
    assert "    *Screenshot not recorded yet: The app [now before] any portfolio.*" in text
    assert len(warnings) == 1 and "page.md:5: no screenshot of this block" in warnings[0]
