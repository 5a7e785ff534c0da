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
    assert second.expected == ["b"]
    assert second.expected_origins == [Origin(PAGE, 16)]


def test_blank_lines_between_a_command_and_its_output_are_not_output():
    [command] = commands("$ docker compose ps\n\n\nNAME  STATUS\n\nweb   up\n\n")
    assert command.expected == ["NAME  STATUS", "", "web   up"]
    assert command.expected_origins[0] == Origin(PAGE, 13)
    [quiet] = commands("$ true\n\n")
    assert quiet.expected == []


def test_npm_output_lines_starting_with_the_second_prompt_are_output():
    [command] = commands("$ npm run build\n> my-app@1.0.0 build\n> rm -rf dist && tsc")
    assert command.text == "npm run build"
    assert command.expected == ["> my-app@1.0.0 build", "> rm -rf dist && tsc"]
    assert command.expected_origins == [Origin(PAGE, 11), Origin(PAGE, 12)]


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        ("$ echo 'one\n> two'\none\ntwo", "echo 'one\ntwo'", ["one", "two"]),
        ('$ echo "a\n>\n> b"\n> out', 'echo "a\n\nb"', ["> out"]),
        ("$ if true; then\n>   echo yes\n> fi\nyes", "if true; then\n  echo yes\nfi", ["yes"]),
        ("$ for x in a b; do\n> echo $x\n> done\n> a", "for x in a b; do\necho $x\ndone", ["> a"]),
        ("$ case a in\n> a) echo A;;\n> esac", "case a in\na) echo A;;\nesac", []),
        ("$ printf 'x\\n' |\n> cat\n> x", "printf 'x\\n' |\ncat", ["> x"]),
        ("$ true &&\n> echo ok\nok", "true &&\necho ok", ["ok"]),
        ("$ false ||\n> echo ok\nok", "false ||\necho ok", ["ok"]),
        ("$ { echo a\n> echo b; }\na\nb", "{ echo a\necho b; }", ["a", "b"]),
        ("$ cat <<-EOF\n> \tKEY=1\n> \tEOF\n> KEY=1", "cat <<-EOF\n\tKEY=1\n\tEOF", ["> KEY=1"]),
        ("$ cat <<A; cat <<B\n> a\n> A\n> b\n> B\n> x", "cat <<A; cat <<B\na\nA\nb\nB", ["> x"]),
    ],
)
def test_second_prompt_lines_continue_a_command_only_while_bash_wants_more(body, text, expected):
    [command] = commands(body)
    assert (command.text, command.expected) == (text, expected)


def test_a_heredoc_ends_at_its_delimiter_and_later_second_prompt_lines_are_output():
    body = "$ cat <<'EOF' > app.env\n> KEY=value\n> EOF\n> not part of it\n$ cat app.env\nKEY=value"
    heredoc, cat = commands(body)
    assert heredoc.text == "cat <<'EOF' > app.env\nKEY=value\nEOF"
    assert heredoc.expected == ["> not part of it"]
    assert cat.text == "cat app.env"


def test_many_blocks_ask_bash_in_one_or_two_processes(monkeypatch):
    from execdocs import shell_syntax
    from execdocs.transcript import parse_transcripts

    calls = []
    real = shell_syntax._ask_bash
    monkeypatch.setattr(shell_syntax, "_verdicts", {})
    monkeypatch.setattr(shell_syntax, "_ask_bash", lambda texts: calls.append(texts) or real(texts))
    heredoc = ["$ cat <<EOF", *[f"> line {n}" for n in range(30)], "> EOF", "> out"]
    quote = ["$ echo 'a", *[f"> {n}" for n in range(5)], "> b'", "a"]
    blocks = [heredoc, quote, ["$ npm test", "> x", "> y"]] * 4
    bodies = [(body, [Origin(PAGE, n) for n in range(len(body))]) for body in blocks]
    results, problems = parse_transcripts(bodies)
    assert problems == [] and len(calls) <= 2
    assert [len(commands) for commands in results] == [1] * 12
    assert results[0][0].expected == ["> out"] and results[1][0].expected == ["a"]
    assert results[2][0].expected == ["> x", "> y"]
    assert sum(len(texts) for texts in calls) < 40  # not one check per line of every heredoc


def test_nothing_of_a_transcript_runs_while_it_is_parsed(tmp_path):
    marker = tmp_path / "ran"
    body = f"$ echo 'a\n> b'; }}; touch {marker}; {{ :\n> }}\n$ touch {marker}"
    commands(body)
    assert not marker.exists()


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
