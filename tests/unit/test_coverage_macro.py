"""The landing page's summary of the last executable-docs run."""

from __future__ import annotations

import json

import pytest

from papertrade_docs.coverage_macro import CoverageError, read_coverage, render_coverage


def write(tmp_path, data) -> object:
    path = tmp_path / "coverage.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_no_file_says_there_was_no_run(tmp_path):
    assert read_coverage(tmp_path / "coverage.json") is None
    assert "No run of the executable docs" in render_coverage(None)


def test_counts_are_summed_over_the_pages(tmp_path):
    path = write(tmp_path, {"pages": [
        {"page": "docs/a.md", "passed": 4, "failed": 0, "skipped": 1},
        {"page": "docs/b.md", "passed": 7, "failed": 0, "skipped": 0, "extra": "ignored"},
    ], "totals": {"executed_share": 0.93}})
    coverage = read_coverage(path)
    assert (coverage.pages, coverage.passed, coverage.failed, coverage.skipped) == (2, 11, 0, 1)
    text = render_coverage(coverage)
    assert "2 pages, 11 blocks passed, 1 skipped, all passed. 93% of the shell" in text


def test_failures_are_shown_in_bold(tmp_path):
    path = write(tmp_path, {"pages": [{"page": "docs/a.md", "passed": 1, "failed": 2}]})
    assert "**2 failed**" in render_coverage(read_coverage(path))


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", "not readable JSON"),
    ({"totals": {}}, "has no 'pages' list"),
    ({"pages": [{"page": "docs/a.md", "passed": -1}]}, "'passed' of page 'docs/a.md' is -1"),
    ({"pages": [{"page": "docs/a.md", "failed": "no"}]}, "'failed' of page 'docs/a.md'"),
    ({"pages": [], "executed_share": 1.5}, "'executed_share' is 1.5"),
])
def test_a_file_that_is_there_but_wrong_fails_the_build(tmp_path, data, message):
    with pytest.raises(CoverageError, match=message):
        read_coverage(write(tmp_path, data))


def test_the_summary_reads_what_the_runner_writes(tmp_path):
    """The JSON execdocs itself writes, not a hand-made imitation of it."""
    from execdocs.coverage import PageCoverage, Summary

    Summary([
        PageCoverage("docs/a.md", "passed", run=3, passed=3, shell_console_blocks=4,
                     shell_console_executed=3, skipped=1),
    ]).write_json(tmp_path / "coverage.json")
    coverage = read_coverage(tmp_path / "coverage.json")
    assert (coverage.pages, coverage.passed, coverage.skipped) == (1, 3, 1)
    assert coverage.executed_share == 0.75
