"""Failure reports and the coverage summary, from results built by hand."""

import json
from pathlib import Path

from execdocs import coverage
from execdocs.model import Block, Origin
from execdocs.report import failure_report
from execdocs.results import BlockResult, Failure, PageResult

PAGE = Path("docs/start.md")


def block(kind: str, line: int) -> Block:
    return Block("console" if kind == "console" else "bash", kind, {}, "", Origin(PAGE, line),
                 [])


def test_a_report_shows_where_what_expected_actual_and_the_status():
    failure = Failure(Origin(PAGE, 12), "the output does not match", command="cat <<EOF\nx\nEOF",
                      kind="console", block_origin=Origin(PAGE, 10), status=0,
                      output="y\n", diff="--- expected\n+++ actual\n-x\n+y",
                      diagnostics=["$ docker compose ps  (project demo)\nNAME  STATUS"])
    text = failure_report(PageResult(PAGE, failure=failure))
    assert text.splitlines()[:6] == [
        "docs/start.md:12: the output does not match", "", "$ cat <<EOF", "> x", "> EOF",
        "exit status: 0 (expected 0)"]
    assert "-x\n+y" in text and "NAME  STATUS" in text
    assert "included" not in text


def test_a_report_on_included_text_names_the_snippet_and_the_including_block():
    failure = Failure(Origin(Path("snippets/setup.sh"), 2), "exit status 1, expected 0",
                      command="echo a\nfalse", kind="shell", block_origin=Origin(PAGE, 30),
                      status=1, output="a\n")
    text = failure_report(PageResult(PAGE, failure=failure))
    assert text.startswith("snippets/setup.sh:2: exit status 1, expected 0\n"
                           "  (included by the block at docs/start.md:30)")
    assert "shell block:\n  echo a\n  false" in text and "output:\n  a" in text


def test_a_timed_out_command_has_no_exit_status():
    failure = Failure(Origin(PAGE, 3), "timed out after 5 s", command="sleep 100",
                      kind="console")
    text = failure_report(PageResult(PAGE, failure=failure))
    assert "exit status: none (it did not finish)" in text


def test_coverage_counts_blocks_and_the_share_of_shell_and_console_executed(tmp_path):
    first = PageResult(PAGE, blocks=[
        BlockResult(block("console", 1), "passed"),
        BlockResult(block("shell", 5), "skipped", "needs a GPU"),
        BlockResult(block("shown", 9), "shown"),
        BlockResult(block("file", 12), "passed"),
    ])
    second = PageResult(Path("docs/other.md"), blocks=[
        BlockResult(block("console", 1), "failed"),
        BlockResult(block("console", 4), "not run"),
    ], failure=Failure(Origin(PAGE, 1), "boom"))
    summary = coverage.summarize([first, second], [("docs/bad.md", "docs/bad.md:3: bad")])
    data = summary.as_json()
    assert data["totals"] == {"run": 3, "passed": 2, "failed": 1, "skipped": 1, "not_run": 1,
                              "shell_console_blocks": 4, "shell_console_executed": 2,
                              "executed_share": 0.5}
    assert data["pages"][0]["skip_reasons"] == ["docs/start.md:5: needs a GPU"]
    assert [page["status"] for page in data["pages"]] == ["passed", "failed", "invalid"]
    table = summary.table()
    assert "shell and console blocks executed: 50%" in table
    assert "docs/start.md:5: needs a GPU" in table and "docs/bad.md:3: bad" in table
    summary.write_json(tmp_path / "out" / "coverage.json")
    assert json.loads((tmp_path / "out" / "coverage.json").read_text()) == data


def test_a_skipped_page_lists_its_reason_once():
    result = PageResult(PAGE, blocks=[BlockResult(block("console", 1), "skipped", "paid")],
                        skipped="paid")
    counted = coverage.page_coverage(result)
    assert (counted.status, counted.skipped, counted.skip_reasons) == ("skipped", 1, ["page: paid"])
