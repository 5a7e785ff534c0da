"""Update mode: only the expected output of the given commands changes, in the source."""

import os
from pathlib import Path

import pytest
from mkdocs_project import write_project

from execdocs.collect import load_page
from execdocs.config import Project
from execdocs.update import UpdateRefused, update_page, update_source, updated_expected


def commands(path: Path, project: Project | None = None):
    return [c for b in load_page(path, project).blocks for c in b.commands]


def write(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("expected", "actual", "new"),
    [
        (["old"], "new\n", ["new"]),
        (["a", "b"], "a\nB\n", ["a", "B"]),
        (["a", "...", "z"], "a\nx\ny\nz\nextra\n", ["a", "...", "z", "extra"]),
        (["...", "done"], "x\nfailed\n", ["...", "failed"]),  # changed in place
        (["id ... up", "b"], "id 42 up\nc\n", ["id ... up", "c"]),
        (["[0-9]+ items (re)", "x"], "12 items\ny\n", ["[0-9]+ items (re)", "y"]),
        (["[0-9]+ items (re)"], "many items\n", ["many items"]),
        (["gone"], "", []),
        ([], "now output\n", ["now output"]),
        (["a"], "it ends (re)\n", [r"it\ ends\ \(re\) (re)"]),
    ],
)
def test_updated_expected(expected, actual, new):
    assert updated_expected(expected, actual) == new


TEXT = """\
# Page

Intro line stays.

```console
$ echo one
old one
$ echo two
two
$ docker compose ps
NAME ... STATUS
...
$ date
[0-9]+ (re)
```

Outro.
"""


def test_only_the_commands_output_lines_change(tmp_path):
    path = write(tmp_path, TEXT)
    one, two, ps, date = commands(path)
    update_page(path, [(one, "one\n"), (ps, "NAME  STATUS\nweb   up\nNEW LAST\n")])
    # `...` absorbed every extra line of ps, so its lines stay as they were.
    assert path.read_text() == TEXT.replace("old one", "one")


def test_wildcard_lines_that_no_longer_match_are_replaced(tmp_path):
    path = write(tmp_path, TEXT)
    ps = commands(path)[2]
    update_page(path, [(ps, "SERVICE STATE\nweb up\n")])
    assert path.read_text() == TEXT.replace("NAME ... STATUS\n", "SERVICE STATE\n")


def test_several_updates_that_change_line_counts(tmp_path):
    path = write(tmp_path, TEXT)
    one, two, ps, date = commands(path)
    update_page(path, [(one, "1\n2\n3\n"), (date, "not a number\n"), (two, "")])
    assert path.read_text() == TEXT.replace("old one", "1\n2\n3").replace(
        "two\n$ docker", "$ docker"
    ).replace("[0-9]+ (re)", "not a number")
    # The page loads again, and the new expectations are where the commands are.
    one, two, ps, date = commands(path)
    assert (
        one.expected == ["1", "2", "3"] and two.expected == [] and date.expected == ["not a number"]
    )


def test_command_without_output_gets_its_output_below_it(tmp_path):
    path = write(tmp_path, "```console\n$ echo a \\\n  b\n$ true\n```\n")
    first, _ = commands(path)
    update_page(path, [(first, "a b\n")])
    assert path.read_text() == "```console\n$ echo a \\\n  b\na b\n$ true\n```\n"


def test_indentation_of_list_and_admonition_blocks_is_kept(tmp_path):
    text = (
        "1. Run:\n\n    ```console\n    $ echo hi\n    old\n    ```\n\n"
        "!!! note\n    ```console\n    $ printf 'x\\n\\ny\\n'\n    x\n    ```\n"
    )
    path = write(tmp_path, text)
    hi, printf = commands(path)
    update_page(path, [(hi, "hi\nthere\n"), (printf, "x\n\ny\n")])
    assert path.read_text() == text.replace("    old\n", "    hi\n    there\n").replace(
        "    x\n    ```", "    x\n\n    y\n    ```"
    )


def test_unchanged_text_is_not_rewritten(tmp_path):
    path = write(tmp_path, TEXT)
    before = path.stat().st_mtime_ns
    one = commands(path)[0]
    update_page(path, [(one, "old one\n")])
    assert path.stat().st_mtime_ns == before


def test_crlf_and_missing_final_newline_are_kept(tmp_path):
    path = tmp_path / "page.md"
    path.write_bytes(b"```console\r\n$ echo a\r\nb\r\n```")
    update_page(path, [(commands(path)[0], "a\n")])
    assert path.read_bytes() == b"```console\r\n$ echo a\r\na\r\n```"


def test_file_mode_is_kept_and_no_temporary_file_is_left(tmp_path):
    path = write(tmp_path, TEXT)
    os.chmod(path, 0o640)
    update_page(path, [(commands(path)[0], "one\n")])
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]


def test_output_from_a_snippet_is_refused(tmp_path):
    root = write_project(tmp_path).parent
    (root / "snippets" / "ps.txt").write_text("$ docker compose ps\nold\n")
    path = write(root, '```console\n--8<-- "ps.txt"\n```\n', "docs/page.md")
    project = Project.load(root / "mkdocs.yml")
    [ps] = commands(path, project)
    with pytest.raises(UpdateRefused) as caught:
        update_page(path, [(ps, "new\n")])
    assert "ps.txt" in str(caught.value) and "update it there by hand" in str(caught.value)
    assert path.read_text() == '```console\n--8<-- "ps.txt"\n```\n'


def test_output_rendered_by_a_macro_is_refused(tmp_path):
    root = write_project(tmp_path).parent
    text = "```console\n$ echo {{ version }}\n{{ version }}\n$ echo b\nold\n```\n"
    path = write(root, text, "docs/page.md")
    project = Project.load(root / "mkdocs.yml")
    version, b = commands(path, project)
    with pytest.raises(UpdateRefused) as caught:
        update_page(path, [(version, "17.3\n")])
    assert caught.value.origin.line == 3 and "rendered by a macro" in caught.value.message
    # A macro on the command line alone does not stop its written output being updated.
    update_page(path, [(b, "b\n")])
    assert path.read_text() == text.replace("old", "b")


def test_page_changed_since_the_run_is_refused(tmp_path):
    path = write(tmp_path, TEXT)
    one = commands(path)[0]
    path.write_text("# Page\n")
    with pytest.raises(UpdateRefused):
        update_page(path, [(one, "one\n")])
    assert path.read_text() == "# Page\n"


def test_update_source_is_pure(tmp_path):
    path = write(tmp_path, TEXT)
    one = commands(path)[0]
    assert update_source(TEXT, path, [(one, "x\n")]) == TEXT.replace("old one", "x")
    assert path.read_text() == TEXT


def test_a_blank_line_between_a_command_and_its_output_stays(tmp_path):
    text = "```console\n$ echo one\n\nold\n\n$ true\n\n$ echo two\n\nold two\n```\n"
    path = write(tmp_path, text)
    one, true, two = commands(path)
    assert one.expected == ["old"] and true.expected == []
    update_page(path, [(one, "one\n"), (true, "now\n"), (two, "\ntwo\n")])
    assert path.read_text() == text.replace("\nold\n", "\none\n").replace(
        "$ true\n", "$ true\nnow\n"
    ).replace("old two", "two")
