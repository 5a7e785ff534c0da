"""The landing page's summary of the last recorded run (docs/data/recorded-output.json)."""

from __future__ import annotations

import json

import pytest

from papertrade_docs.macros.coverage import CoverageError, read_last_run, render_last_run


def write(tmp_path, data) -> object:
    path = tmp_path / "recorded-output.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def page(ran="2026-11-30T19:00:00Z", result="passed", blocks=(), **more):
    return {"ran": ran, "engine": "Docker Engine 28.1", "platform": "linux/amd64",
            "result": result, "blocks": list(blocks), **more}


PASSED = {"kind": "console", "status": "passed", "line": 3}
SHELL = {"kind": "shell", "status": "passed", "line": 9}
SHOWN = {"kind": "shown", "status": "shown", "line": 12}
SKIPPED = {"kind": "console", "status": "skipped", "line": 20, "reason": "needs a GPU"}


def test_no_file_says_there_was_no_run(tmp_path):
    assert read_last_run(tmp_path / "recorded-output.json") is None
    assert "No recorded run of the executable docs" in render_last_run(None)


def test_blocks_are_counted_over_the_pages(tmp_path):
    path = write(tmp_path, {"format": 1, "pages": {
        "docs/a.md": page(blocks=[PASSED, SHELL, SHOWN, SKIPPED]),
        "docs/b.md": page(blocks=[PASSED]),
    }})
    run = read_last_run(path)
    assert (run.pages, run.passed, run.runnable) == (2, 3, 4)
    text = render_last_run(run)
    assert text.startswith(
        "Every page last ran on 2026-11-30 with Docker Engine 28.1 on linux/amd64: 2 pages,"
        " 3 of 4 blocks passed. 75% of the shell and console blocks ran.")
    assert text.endswith("Skipped, each with its reason:\n\n- `docs/a.md:20`: needs a GPU")


def test_pages_recorded_on_several_days_say_so(tmp_path):
    path = write(tmp_path, {"format": 1, "pages": {
        "docs/a.md": page(blocks=[PASSED]),
        "docs/b.md": page(ran="2026-11-28T08:00:00Z", blocks=[PASSED]),
    }})
    assert "last ran between 2026-11-28 and 2026-11-30 with" in render_last_run(
        read_last_run(path))


def test_failures_are_shown_in_bold(tmp_path):
    path = write(tmp_path, {"format": 1, "pages": {
        "docs/a.md": page(result="failed", blocks=[{"kind": "console", "status": "failed"}])}})
    assert "; **failed on `docs/a.md`**." in render_last_run(read_last_run(path))


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", "not readable JSON"),
    ({"pages": {}}, "not a recordings file"),
    ({"format": 1, "pages": {"docs/a.md": {"ran": "x"}}}, "not a recordings file"),
])
def test_a_file_that_is_there_but_wrong_fails_the_build(tmp_path, data, message):
    with pytest.raises(CoverageError, match=message):
        read_last_run(write(tmp_path, data))
