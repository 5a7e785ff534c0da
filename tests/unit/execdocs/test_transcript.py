"""Console transcripts: commands, continuations, expected output, and their origins."""

from pathlib import Path

import pytest

from execdocs.model import InvalidPage, Origin
from execdocs.transcript import parse_transcript

PAGE = Path("docs/page.md")


def commands(body: str, first_line: int = 10):
    lines = body.split("\n")
    return parse_transcript(lines, [Origin(PAGE, first_line + k) for k in range(len(lines))])


def test_commands_and_their_output():
    first, second = commands("$ echo hi\nhi\n$ ls\na\nb")
    assert (first.text, first.expected) == ("echo hi", ["hi"])
    assert (second.text, second.expected) == ("ls", ["a", "b"])


def test_origins_of_commands_and_output_lines():
    first, second = commands("$ echo hi\nhi\n$ ls\na\nb", first_line=10)
    assert first.origin == Origin(PAGE, 10)
    assert first.expected_origins == [Origin(PAGE, 11)]
    assert second.origin == Origin(PAGE, 12)
    assert second.expected_origins == [Origin(PAGE, 13), Origin(PAGE, 14)]


def test_command_without_output_is_not_checked():
    [command] = commands("$ docker compose up -d --wait")
    assert command.expected == [] and command.expected_origins == []


def test_backslash_continuation_keeps_the_backslash_for_bash():
    [command] = commands("$ docker run --rm \\\n    -e A=1 \\\n    debian true\nok")
    assert command.text == "docker run --rm \\\n    -e A=1 \\\n    debian true"
    assert command.expected == ["ok"]
    assert command.expected_origins == [Origin(PAGE, 13)]


def test_continuation_line_after_backslash_is_taken_verbatim():
    [command] = commands("$ echo a \\\n> out.txt")
    assert command.text == "echo a \\\n> out.txt"


def test_heredoc_with_second_prompt():
    body = "$ cat <<'EOF' > app.env\n> KEY=value\n>\n> OTHER=2\n> EOF\n$ cat app.env\nKEY=value"
    heredoc, cat = commands(body)
    assert heredoc.text == "cat <<'EOF' > app.env\nKEY=value\n\nOTHER=2\nEOF"
    assert heredoc.expected == []
    assert cat.expected == ["KEY=value"]


def test_output_line_starting_with_gt_but_not_the_prompt_is_output():
    [command] = commands("$ echo '>x'\n>x")
    assert command.expected == [">x"]


def test_leading_blank_lines_are_skipped():
    [command] = commands("\n\n$ true")
    assert command.origin == Origin(PAGE, 12)


def test_blank_lines_between_commands_are_layout():
    first, second = commands("$ echo a\na\n\n\n$ echo b\n\nb\n\n")
    assert first.expected == ["a"]
    assert second.expected == ["", "b"]
    assert second.expected_origins == [Origin(PAGE, 15), Origin(PAGE, 16)]


def test_trailing_whitespace_of_expected_lines_is_ignored():
    [command] = commands("$ echo a   \na   \t")
    assert command.text == "echo a   "
    assert command.expected == ["a"]


def test_wildcard_lines_are_kept_as_expected_text():
    [command] = commands("$ docker ps\n...\nid ... papertrade\n[0-9]+ (re)")
    assert command.expected == ["...", "id ... papertrade", "[0-9]+ (re)"]


def test_empty_block_has_no_commands():
    assert commands("") == []
    assert commands("\n\n") == []


@pytest.mark.parametrize(
    "body",
    [
        "hello\n$ echo hi",  # output before any command
        "echo hi",  # a shell line without the prompt
        "  $ echo hi",  # indented prompt
        "$echo hi",  # no space after the prompt
        "# a comment\n$ ls",
    ],
)
def test_first_line_must_be_a_command(body):
    with pytest.raises(InvalidPage) as caught:
        commands(body)
    assert "must start with a `$ ` command" in caught.value.message
    assert caught.value.origin == Origin(PAGE, 10)


def test_prompt_with_no_command():
    with pytest.raises(InvalidPage, match="no command"):
        commands("$ ls\n$ \nout")
