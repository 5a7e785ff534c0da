"""The output matcher: as a reader compares the page with their terminal."""

import time

import pytest

from execdocs.matcher import align, match


def lines(text: str) -> list[str]:
    return text.split("\n") if text else []


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("hi", "hi\n"),
        ("hi", "hi   \n"),  # trailing whitespace in the output
        ("hi   ", "hi"),  # and in the page
        ("a\nb", "a\nb\n\n\n"),  # trailing blank lines
        ("a\n\nb", "a\n\nb"),  # blank lines inside count
        ("done", "\x1b[1;32mdone\x1b[0m\n"),  # colours
        ("title", "\x1b]0;window\x07title"),  # OSC title
        ("100%", "10%\r50%\r100%\n"),  # progress drawn with carriage returns
        ("a\nb", "a\r\nb\r\n"),  # CRLF
        ("...", ""),  # `...` matches no lines
        ("...", "x\ny\nz"),  # or many
        ("a\n...\nz", "a\nz"),
        ("a\n...\nz", "a\nb\nc\nz"),
        ("...\nz", "a\nz"),
        ("a\n...", "a"),
        ("a\n...\n...\nb", "a\nx\nb"),
        ("a\n...\nb\n...\nc", "a\nb\nb\nc"),
        ("a\n...\nb\n...\nc", "a\n1\nb\n2\nb\n3\nc"),
        ("Container ... Started", "Container papertrade-db-1 Started"),
        ("... Started", "Container x Started"),
        ("Started ...", "Started "),  # `...` inside a line matches empty text too
        ("a...b...c", "abc"),
        ("a...b...c", "a-b-b-c"),
        ("a...a", "aa"),
        (r"[0-9a-f]{12} (re)", "0123456789ab"),
        (r"status: (healthy|starting) (re)", "status: healthy"),
        ("x (re)", "x"),
        ("...\n[0-9]+ bytes (re)\n...", "head\n123 bytes\ntail"),
    ],
)
def test_matches(expected, actual):
    result = match(lines(expected), actual)
    assert result.ok, result.diff
    assert result
    assert result.diff == ""


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("hi", "ho"),
        ("hi", "hi\nthere"),  # extra output
        ("a\nb", "a"),  # missing output
        ("a\n...\nz", "a\nb"),
        ("...\nz", "z\ny"),
        ("a...b", "ab-"),
        ("a...b...c", "acb"),
        ("a...a", "a"),  # the pieces may not overlap
        ("Started ...", "Starte"),
        (r"[0-9]+ (re)", "12a"),  # must match the whole line
        (r"[0-9]+ (re)", "a12"),
        ("  indented", "indented"),  # leading whitespace counts
        ("a (re) x", "a (re) x y"),
    ],
)
def test_mismatches(expected, actual):
    result = match(lines(expected), actual)
    assert not result.ok
    assert not result
    assert result.diff.startswith("--- expected\n+++ actual\n@@ ")


def test_no_expected_output_means_not_checked():
    assert match([], "anything at all\n").ok


def test_accepts_already_cleaned_lines():
    assert match(["a", "..."], ["a", "b"]).ok


def test_invalid_regex_is_compared_as_text_and_reported():
    result = match(["([ (re)"], "x")
    assert not result.ok
    assert "-([ (re)" in result.diff


def test_diff_shows_wildcard_matched_lines_as_context():
    result = match(
        ["Creating db ... done", "...", "Started web", "ready"],
        "Creating db 1 done\nx\ny\nStarted web\nREADY\n",
    )
    assert result.diff.splitlines()[2:] == [
        "@@ -2,3 +2,4 @@",
        " x",
        " y",
        " Started web",
        "-ready",
        "+READY",
    ]


def test_diff_has_hunks_with_three_lines_of_context():
    expected = [f"line {k}" for k in range(30)]
    actual = list(expected)
    actual[5] = "changed 5"
    actual[25] = "changed 25"
    diff = match(expected, "\n".join(actual)).diff.splitlines()
    hunks = [line for line in diff if line.startswith("@@")]
    assert hunks == ["@@ -3,7 +3,7 @@", "@@ -23,7 +23,7 @@"]
    assert "-line 5" in diff and "+changed 5" in diff
    assert " line 0" not in diff and " line 15" not in diff


def test_diff_of_cleaned_output():
    result = match(["done"], "\x1b[31mfailed\x1b[0m   \n")
    assert result.actual == ["failed"]
    assert result.diff.splitlines()[3:] == ["-done", "+failed"]


def test_many_wildcards_do_not_backtrack_exponentially():
    expected = ["..."] * 40 + ["never"] + ["..."] * 40
    actual = "\n".join(f"line {k}" for k in range(2000))
    started = time.perf_counter()
    assert not match(expected, actual).ok
    inline = "...".join("a" * 30) + "b"
    assert not match([inline], "a" * 5000).ok
    assert match([inline.removesuffix("b")], "a" * 5000).ok
    assert time.perf_counter() - started < 2


def test_alignment_prefers_explaining_lines():
    steps = align(["a", "...", "z"], ["a", "b", "c", "z"])
    assert [(s.kind, s.expected, s.actual) for s in steps] == [
        ("same", 0, 0),
        ("absorbed", 1, 1),
        ("absorbed", 1, 2),
        ("same", 1, None),
        ("same", 2, 3),
    ]


def test_blank_lines_leading_or_trailing_the_output_are_not_significant():
    assert match(["two"], "\n\ntwo\n\n")
    assert match(["", "two", ""], "two\n")
    assert not match(["one", "two"], "one\n\ntwo\n")  # inside the output they count
