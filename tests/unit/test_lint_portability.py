"""`make lint`'s portability step: GNU-only idioms in the commands a reader types are
found at their page line, unless they sit in a Linux tab; tools beyond Docker must be
named at the top of the page."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from papertrade_docs.lint import cli as lint
from papertrade_docs.lint.blocks import content_tabs, read_page
from papertrade_docs.lint.portability import command_idioms, page_findings
from papertrade_docs.lint.shell_words import simple_commands


def make_page(root: Path, text: str) -> Path:
    (root / "docs").mkdir(exist_ok=True)
    page = root / "docs" / "page.md"
    page.write_text(textwrap.dedent(text))
    return page


def findings(root: Path, text: str) -> list[str]:
    return page_findings(make_page(root, text), root)


# --- the scratch page -------------------------------------------------------------


def test_sed_i_without_a_suffix_outside_a_linux_tab_fails_the_lint(tmp_path, capsys):
    make_page(tmp_path, """\
        # Page

        ```console
        $ sed -i 's/a/b/' f
        ```
        """)
    assert lint.main(["portability"], tmp_path) == 1
    out = capsys.readouterr().out
    assert "docs/page.md:4: `sed -i` without a suffix is GNU-only; write `sed -i.bak" in out


def test_the_same_command_in_a_linux_tab_passes(tmp_path, capsys):
    make_page(tmp_path, """\
        # Page

        === "Linux"

            ```console
            $ sed -i 's/a/b/' f
            ```

        === "macOS"

            ```console
            $ sed -i '' 's/a/b/' f
            ```
        """)
    assert lint.main(["portability"], tmp_path) == 0
    assert "lint: portability: 1 pages and 0 build files clean" in capsys.readouterr().out


def test_sed_with_a_suffix_passes(tmp_path):
    assert findings(tmp_path, "```console\n$ sed -i.bak 's/a/b/' f && rm f.bak\n```\n") == []


# --- where a finding points, and which blocks are read -------------------------------------


def test_every_kind_of_shell_block_is_read_hidden_ones_and_admonitions_too(tmp_path):
    found = findings(tmp_path, """\
        # Page

        ```bash
        sed -i 's/a/b/' f
        ```

        !!! note

            ```sh
            grep -P '\\d+' f
            ```

        <!-- execdocs
        ```shell
        dir="$(mktemp -d)"
        ```
        -->

        ```text
        sed -i 's/shown, not run/' f
        ```
        """)
    assert [line.split(": ", 1)[0] for line in found] == [
        "docs/page.md:4", "docs/page.md:10", "docs/page.md:15"]
    assert "`grep -P` is GNU-only; use `grep -E`" in found[1]
    assert "`mktemp` without a template is GNU-only" in found[2]


def test_console_output_is_not_read_but_continued_commands_are(tmp_path):
    found = findings(tmp_path, """\
        ```console
        $ echo 'sed -i x f'
        sed -i x f
        $ find . -name '*.txt' \\
            | xargs -r \\
              rm
        $ cat > notes.txt <<'EOF'
        > readlink -f is only text here
        > EOF
        ```
        """)
    assert found == [
        "docs/page.md:5: `xargs -r` is GNU-only; use `find ... -exec CMD {} +` (runs"
        ' nothing when nothing is found), or test the input first (`[ -n "$list" ]`)']


def test_commands_run_in_containers_are_not_the_readers_userland(tmp_path):
    assert findings(tmp_path, """\
        ```console
        $ docker compose exec backend sed -i 's/a/b/' f
        $ docker run --rm debian:trixie-slim readlink -f /bin/sh
        ```
        """) == []


def test_a_linux_tab_nested_under_an_admonition_and_a_distribution_tab_count(tmp_path):
    assert findings(tmp_path, """\
        !!! tip

            === "Linux"

                ```bash
                date -d yesterday
                ```

        === "Debian and Ubuntu"

            ```bash
            stat -c %s f
            ```
        """) == []


def test_a_macos_tab_is_not_a_linux_one(tmp_path):
    found = findings(tmp_path, """\
        === "macOS and Windows (Docker Desktop)"

            ```bash
            base64 -w0 f
            ```
        """)
    assert len(found) == 1 and found[0].startswith("docs/page.md:4: `base64 -w` is GNU-only")


def test_content_tabs_are_found_from_the_fence_up(tmp_path):
    page = make_page(tmp_path, """\
        === "Linux"

            Text.

            - a list item

                ```bash
                true
                ```

        ```bash
        true
        ```
        """)
    lines, fences = read_page(page)
    assert [content_tabs(lines, fence) for fence in fences] == [["Linux"], []]


# --- the idioms, one simple command at a time -------------------------------------------------


def idioms(command: str) -> list[str]:
    return [idiom.idiom for words in simple_commands(command) for idiom in command_idioms(words)]


@pytest.mark.parametrize("command, idiom", [
    ("sed -i 's/a/b/' f", "`sed -i` without a suffix"),
    ("sed -i -e 's/a/b/' f", "`sed -i` without a suffix"),
    ("sed -Ei 's/a+/b/' f", "`sed -i` without a suffix"),
    ("sed --in-place 's/a/b/' f", "`sed -i` without a suffix"),
    ("sed -i '' 's/a/b/' f", "`sed -i ''` is BSD-only, and `sed -i` without a suffix"),
    ("sed -i.bak '1i text' f", "`sed` one-line `i` text"),
    ("sed -n '/x/a more' f", "`sed` one-line `a` text"),
    ("sed 's/a\\|b/c/' f", "`\\|` in a basic regular expression"),
    ("grep -oP '\\d+' f", "`grep -P`"),
    ("grep --perl-regexp x f", "`grep -P`"),
    ("grep 'a\\|b' f", "`\\|` in a basic regular expression"),
    ("readlink -f .", "`readlink -f`"),
    ("date -d '1 day ago' +%F", "`date -d`"),
    ("date --date=@0", "`date -d`"),
    ("stat -c %s f", "`stat -c`"),
    ("base64 -w 0 f", "`base64 -w`"),
    ("ls | xargs -r rm", "`xargs -r`"),
    ("cp -n a b", "`cp -n`"),
    ("cp -an a b", "`cp -n`"),
    ("mktemp", "`mktemp` without a template"),
    ("mktemp -d", "`mktemp` without a template"),
    ("mktemp -t notes", "`mktemp -t`/`-p`/`--tmpdir` (BSD's `-t` differs)"),
    ('dir="$(mktemp -d)"', "`mktemp` without a template"),
    ('cd "$(dirname "$(readlink -f x)")"', "`readlink -f`"),
    ("find . | xargs sed -i s/a/b/", "`sed -i` without a suffix"),
    ("FOO=1 sudo -E sed -i s/a/b/ f", "`sed -i` without a suffix"),
    ("bash -c 'sed -i s/a/b/ f'", "`sed -i` without a suffix"),
    ("if true; then cp -n a b; fi", "`cp -n`"),
    ("tac f", "`tac`"),
    ("find . -printf '%p\\n'", "`find -printf`"),
])
def test_gnu_only_idioms_are_found(command, idiom):
    assert idioms(command) == [idiom]


@pytest.mark.parametrize("command", [
    "sed -i.bak 's/a/b/' f && rm f.bak",
    "sed -E -i.orig 's/a|b/c/' f",
    "sed -n 's/a/b/p' f",
    "sed -e 's/a/b/' -e 's/i x/y/' f",
    "sed 's/;a/b/' f",
    "printf '1i\\\\\\ntext\\n' | sed -f - f",
    "grep -E 'a|b' f",
    "grep -A2 'x' f",
    "grep -e -P f",
    "grep -F 'a\\|b' f",
    "readlink link",
    "date -u +%s",
    "stat f",
    'base64 < f | tr -d "\\n"',
    "xargs rm < list",
    "[ -e .env ] || cp .env.example .env",
    'mktemp -d "${TMPDIR:-/tmp}/papertrade.XXXXXX"',
    "mktemp notes.XXXXXX",
    "echo 'sed -i s/a/b/ f'",
    "echo ${#files[@]} # sed -i in a comment",
    "docker compose exec frontend sh -c 'sed -i s/a/b/ f'",
    "python3 -c 'import sys'",
])
def test_portable_forms_pass(command):
    assert idioms(command) == []


# --- tools beyond Docker --------------------------------------------------------------------


def test_a_tool_beyond_docker_must_be_named_in_the_introduction(tmp_path):
    page = """\
        # Page

        {intro}

        ## Section

        ```console
        $ docker compose config --format json | jq -r '.name'
        $ npm --version
        $ docker compose exec frontend node -p 1
        ```
        """
    found = findings(tmp_path, page.format(intro="Some words."))
    assert [line.split(": ", 1)[0] for line in found] == ["docs/page.md:8", "docs/page.md:9"]
    assert "`jq` runs on the reader's machine, but the page's introduction does not name jq" in (
        found[0])
    assert "does not name Node.js" in found[1]
    intro = "Besides Docker, this page uses `jq` and Node.js with npm."
    assert findings(tmp_path, page.format(intro=intro)) == []


def test_a_tool_named_only_in_a_later_section_or_a_code_block_is_not_named(tmp_path):
    found = findings(tmp_path, """\
        # Page

        ```console
        $ echo jq
        ```

        ## Section

        Uses jq.

        ```console
        $ jq . x.json
        ```
        """)
    assert len(found) == 1 and found[0].startswith("docs/page.md:12: `jq` runs on the reader's")


# --- the step, on the real pages ----------------------------------------------------------------


def test_the_repository_passes_the_portability_step():
    outcome = lint.portability(lint.ROOT)
    assert outcome.findings == []
