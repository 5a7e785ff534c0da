"""`make lint`'s own parts: shell blocks are found where a reader sees them (also under
admonitions, tabs and in hidden blocks), and shellcheck's findings land on page lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

from papertrade_docs.lint import cli as lint
from papertrade_docs.lint.blocks import page_fences, page_script

PAGE = textwrap.dedent("""\
    # Page

    ```bash
    export greeting=hello
    ```

    !!! tip "Inside an admonition"

        ```sh
        echo "$greeting"
        ```

    === "Linux"

        ```shell title="x"
        ls {{ some_macro() }}
        ```

    <!-- execdocs
    ```bash
    rm -rf ./tmp
    ```
    -->

    ```console
    $ echo not shell-checked
    ```

    ````markdown
    ```bash
    echo "shown inside a Markdown example, not run"
    ```
    ````
    """)


def test_fences_are_found_with_their_lines_indentation_and_hiding(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    fences = page_fences(page)
    assert [(f.lang, f.open_line + 1, f.hidden) for f in fences] == [
        ("bash", 3, False), ("sh", 9, False), ("shell", 15, False), ("bash", 20, True),
        ("console", 25, False), ("markdown", 29, False)]
    assert fences[1].body == ('echo "$greeting"',)


def test_a_page_script_keeps_page_lines_and_neutralises_macros(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    script = page_script(page)
    assert script.lines == ["export greeting=hello", 'echo "$greeting"', "ls MACRO_VALUE",
                            "rm -rf ./tmp"]
    assert script.origins == [4, 10, 16, 21]
    assert script.page_line(3) == 10  # line 1 of the script is the shebang


def make_project(root: Path, page: str) -> Path:
    (root / "docs").mkdir()
    (root / "docs" / "page.md").write_text(textwrap.dedent(page))
    return root


def test_shellcheck_findings_point_at_the_page_line(tmp_path):
    root = make_project(tmp_path, """\
        # Page

        ```bash
        cd /tmp
        files=$(ls)
        ```

        !!! note

            ```bash
            echo $files
            ```
        """)
    outcome = lint.shellcheck_docs(root)
    assert outcome.what == "shell blocks of 1 pages"
    assert len(outcome.findings) == 1, outcome.findings
    assert outcome.findings[0].startswith("docs/page.md:11:")
    assert "SC2086" in outcome.findings[0]


def test_clean_shell_blocks_pass(tmp_path):
    root = make_project(tmp_path, '```bash\nname=world\necho "hello $name"\n```\n')
    assert lint.shellcheck_docs(root).findings == []


def test_yamllint_uses_the_projects_config_and_fails_on_a_bad_compose_file(tmp_path):
    (tmp_path / ".yamllint").write_text(Path(lint.ROOT, ".yamllint").read_text())
    (tmp_path / "docker").mkdir()
    compose = tmp_path / "docker" / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: x\n")
    assert lint.yamllint(tmp_path).findings == []
    compose.write_text("services:\n  web:\n    image: x\n    image: y\n")
    findings = lint.yamllint(tmp_path).findings
    assert any("docker/compose.yaml:4" in line and "duplication" in line for line in findings)


def test_workflows_are_checked_against_githubs_schema(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    workflow = workflows / "test.yml"
    job = "  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"
    workflow.write_text("name: x\non: push\njobs:\n" + job)
    assert lint.workflows(tmp_path).findings == []
    workflow.write_text("name: x\non: push\njobs:\n" + job.replace("runs-on", "runs_on"))
    findings = lint.workflows(tmp_path).findings
    assert any(".github/workflows/test.yml::$.jobs.a" in line for line in findings)
    assert any("'runs-on' is a required property" in line for line in findings)


def test_a_page_the_runner_refuses_is_a_finding_at_its_line(tmp_path):
    root = make_project(tmp_path, "# Page\n\n```bash\necho never closed\n")
    findings = lint.shellcheck_docs(root).findings
    assert len(findings) == 1 and findings[0].startswith("docs/page.md:3: "), findings


def test_main_exits_1_when_a_step_finds_something_and_names_unknown_steps(tmp_path, capsys):
    root = make_project(tmp_path, "```bash\necho $undefined_thing\n```\n")
    assert lint.main(["shellcheck-docs"], root) == 1
    assert "lint: failed: shellcheck-docs" in capsys.readouterr().err
    assert lint.main(["no-such-step"], root) == 2
    assert "unknown step 'no-such-step'" in capsys.readouterr().err
