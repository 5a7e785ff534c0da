"""The pytest plugin: one item per page (id = its path), invalid pages as collection
errors, failure reports, -k / -x / --lf, the coverage summary; silent without --execdocs."""

import json

import pytest

pytest_plugins = ["pytester"]

PASSING = "```console\n$ echo fine\nfine\n```\n"
FAILING = "```console\n$ echo actual\nexpected\n```\n"


@pytest.fixture
def pages(pytester, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(pytester.path))
    pytester.makefile(".md", good=PASSING, bad=FAILING)
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "nested.md").write_text(PASSING)
    return pytester


def test_pages_are_items_named_by_path_and_failures_show_the_report(pages):
    result = pages.runpytest("--execdocs", "-v", "good.md", "bad.md", "docs")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "good.md PASSED*", "bad.md FAILED*", "docs/nested.md PASSED*",
        "*bad.md:2: the output does not match", "-expected", "+actual",
        "*execdocs coverage*",
    ])
    data = json.loads((pages.path / "build/execdocs/coverage.json").read_text())
    assert {page["page"]: page["status"] for page in data["pages"]} == {
        "good.md": "passed", "bad.md": "failed", "docs/nested.md": "passed"}


def test_k_x_and_last_failed_select_pages(pages):
    pages.runpytest("--execdocs", "good.md", "bad.md").assert_outcomes(passed=1, failed=1)
    pages.runpytest("--execdocs", "good.md", "bad.md", "-k", "good").assert_outcomes(passed=1)
    pages.runpytest("--execdocs", "bad.md", "good.md", "-x").assert_outcomes(failed=1)
    last = pages.runpytest("--execdocs", "good.md", "bad.md", "--lf", "-v")
    last.assert_outcomes(failed=1)
    last.stdout.fnmatch_lines(["*rerun previous 1 failure*", "bad.md FAILED*"])
    assert "good.md PASSED" not in last.stdout.str()


def test_an_invalid_page_is_a_collection_error_with_its_line(pages):
    pages.makefile(".md", broken="text\n\n```console test=\"skip\"\n$ true\n```\n")
    result = pages.runpytest("--execdocs", "good.md", "broken.md")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*broken.md:3: test=\"skip\" needs a reason*"])


def test_without_the_option_markdown_is_not_collected(pages):
    pages.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pages.runpytest()
    result.assert_outcomes(passed=1)
    assert "execdocs coverage" not in result.stdout.str()
    assert not (pages.path / "build").exists()


def test_with_xdist_the_summary_gathers_every_worker(pages):
    pages.makefile(".md", broken='```console wiat="1"\n$ true\n```\n')
    result = pages.runpytest_subprocess("--execdocs", "-n", "2", "good.md", "bad.md", "docs",
                                        "broken.md", "--continue-on-collection-errors")
    result.assert_outcomes(passed=2, failed=1, errors=1)
    data = json.loads((pages.path / "build/execdocs/coverage.json").read_text())
    assert sorted((page["page"], page["status"]) for page in data["pages"]) == [
        ("bad.md", "failed"), ("broken.md", "invalid"), ("docs/nested.md", "passed"),
        ("good.md", "passed")]
