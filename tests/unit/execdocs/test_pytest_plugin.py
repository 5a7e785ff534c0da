"""The pytest plugin: one item per page (id = its path), invalid pages as collection
errors, failure reports, -k / -x / --lf, the coverage summary; silent without --execdocs."""

import json
import sys
from pathlib import Path

import docker  # noqa: F401  (see below)
import pytest

# pytester's in-process runs forget the modules a run imported; the Docker SDK imported
# afresh in a later run then mixes two copies of requests' cookie classes ("You can only
# merge into CookieJar"). Imported once here, every run shares one copy.
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


# --- shards ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
RECORDED = """\
site_name: T
docs_dir: docs
markdown_extensions:
  - execdocs.markdown_extension:
      recordings: rec.json
"""


@pytest.fixture
def sharded(pytester, monkeypatch):
    """Five passing pages, one of them long by its recording, in a project whose
    recordings file says how long each took."""
    monkeypatch.setenv("TMPDIR", str(pytester.path))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # subprocesses run this tree's plugin
    monkeypatch.setenv("EXECDOCS_RUN_ID", "run-1")
    monkeypatch.setenv("EXECDOCS_ISOLATION", "off")  # echo needs no sandbox; seconds, not a minute
    for name in "abcde":
        pytester.makefile(".md", **{name: PASSING})
    seconds = {"a.md": 100.0, "b.md": 30.0, "c.md": 30.0, "d.md": 30.0}  # e.md: none
    pytester.makefile(".yml", mkdocs=RECORDED)
    (pytester.path / "docs").mkdir()
    (pytester.path / "rec.json").write_text(json.dumps({"format": 1, "pages": {
        name: {"seconds": value, "blocks": []} for name, value in seconds.items()}}))
    return pytester


def shard_summary(pytester, index, *extra):
    result = pytester.runpytest_subprocess(
        "--execdocs", "--execdocs-shard", f"{index}/2",
        "--execdocs-coverage-json", f"shard{index}.json", *extra,
        *[f"{name}.md" for name in "abcde"])
    return result, json.loads((pytester.path / f"shard{index}.json").read_text())


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_two_shards_run_every_page_once_balanced_by_recorded_durations(sharded, workers):
    first, one = shard_summary(sharded, 1, *workers)
    second, two = shard_summary(sharded, 2, *workers)
    # (xdist's controller does not count what its workers deselected)
    first.assert_outcomes(passed=1, deselected=0 if workers else 4)
    second.assert_outcomes(passed=4, deselected=0 if workers else 1)
    first.stdout.fnmatch_lines(["shard 1/2: 1 of 5 page(s)"])
    # The 100 s page alone; the rest (e.md counted as a typical page) on the other.
    assert [page["page"] for page in one["pages"]] == one["shard"]["pages"] == ["a.md"]
    assert [page["page"] for page in two["pages"]] == ["b.md", "c.md", "d.md", "e.md"]
    assert one["shard"]["all_pages"] == two["shard"]["all_pages"] == [
        f"{name}.md" for name in "abcde"]
    assert one["run"]["id"] == two["run"]["id"] == "run-1"
    merged = sharded.run(sys.executable, "-m", "execdocs", "coverage", "merge", "shard1.json",
                         "shard2.json", "-o", "all.json")
    assert merged.ret == 0, merged.stderr.str()
    pages = json.loads((sharded.path / "all.json").read_text())["pages"]
    assert [(page["page"], page["status"]) for page in pages] == [
        (f"{name}.md", "passed") for name in "abcde"]


def test_an_invalid_page_belongs_to_one_shard_summary(sharded):
    sharded.makefile(".md", broken='```console wiat="1"\n$ true\n```\n')
    statuses = []
    for index in (1, 2):
        result = sharded.runpytest_subprocess(
            "--execdocs", "--execdocs-shard", f"{index}/2", "--continue-on-collection-errors",
            "--execdocs-coverage-json", f"shard{index}.json", "a.md", "b.md", "broken.md")
        result.stdout.fnmatch_lines(["*broken.md:1: unknown option 'wiat'*"])
        data = json.loads((sharded.path / f"shard{index}.json").read_text())
        statuses += [(page["page"], page["status"]) for page in data["pages"]]
    assert sorted(statuses) == [("a.md", "passed"), ("b.md", "passed"),
                                ("broken.md", "invalid")]


def test_a_shard_the_split_leaves_empty_passes_and_still_writes_its_summary(sharded):
    result = sharded.runpytest_subprocess("--execdocs", "--execdocs-shard", "3/3",
                                          "--execdocs-coverage-json", "s3.json", "a.md", "b.md")
    assert result.ret == 0
    data = json.loads((sharded.path / "s3.json").read_text())
    assert data["pages"] == [] and data["shard"]["pages"] == []


@pytest.mark.parametrize("given", ["0/2", "3/2", "x"])
def test_a_bad_shard_is_one_error_line(pages, given):
    result = pages.runpytest("--execdocs", "--execdocs-shard", given, "good.md")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert errors == [errors[0]] and errors[0].startswith(f"ERROR: --execdocs-shard '{given}':")


def test_a_shard_without_execdocs_is_refused(pages):
    result = pages.runpytest("--execdocs-shard", "1/2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --execdocs-shard splits pages: add --execdocs"])


def test_side_by_side_the_longest_pages_start_first_and_an_alone_page_last(sharded):
    sharded.makefile(".md", alone='---\nexecdocs:\n  alone: "it changes the engine for all"\n'
                                  '---\n\n' + PASSING)
    result = sharded.runpytest_subprocess(
        "--execdocs", "-n", "1", "-v", "alone.md", *[f"{name}.md" for name in "edcba"])
    ran = [line.split()[-1] for line in result.stdout.lines
           if line.startswith("[gw0]") and (" PASSED " in line or " SKIPPED " in line)]
    # a.md took 100 s when recorded; b, c and d 30 s each (in the order given); e.md none.
    assert ran == ["a.md", "d.md", "c.md", "b.md", "e.md", "alone.md"], result.stdout.str()
