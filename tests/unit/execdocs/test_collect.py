"""load_page: a Markdown file becomes a runnable Page, or is refused before anything runs."""

from pathlib import Path

import pytest
from mkdocs_project import write_project

from execdocs.collect import load_page
from execdocs.config import Project
from execdocs.model import InvalidPage, Origin

PAGE = """\
---
title: Start
execdocs:
  timeout: 900
---

# Start

Set up:

```console wait="60"
$ cd docker
$ docker compose up -d --wait
...
$ echo {{ version }}
17.2
```

1. Write the file:

    ```yaml file="compose.override.yaml"
    services: {}
    ```

!!! note
    ```bash test="background"
    sleep 1000
    ```

```json
{"shown": true}
```

```python
print("hi")
```

<!-- execdocs
```console exit="1" requires="always"
$ docker compose down -v
$ false
```
-->

```console test="skip" reason="needs Docker Hub"
$ docker pull postgres:17
```
"""


@pytest.fixture
def project(tmp_path) -> Project:
    return Project.load(write_project(tmp_path))


def write(root: Path, text: str, name: str = "docs/page.md") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def refused(path: Path, project: Project | None) -> InvalidPage:
    with pytest.raises(InvalidPage) as caught:
        load_page(path, project)
    assert "\n" not in str(caught.value)
    return caught.value


def test_full_page(project):
    path = write(project.root, PAGE)
    page = load_page(path, project)
    assert page.path == path
    assert page.options == {"timeout": 900}
    summary = [(b.lang, b.kind, b.options, b.origin.line, b.hidden) for b in page.blocks]
    assert summary == [
        ("console", "console", {"wait": "60"}, 11, False),
        ("yaml", "file", {"file": "compose.override.yaml"}, 21, False),
        ("bash", "shell", {"test": "background"}, 26, False),
        ("json", "shown", {}, 30, False),
        ("python", "python", {}, 34, False),
        ("console", "console", {"exit": "1", "requires": "always"}, 39, True),
        ("console", "console", {"test": "skip", "reason": "needs Docker Hub"}, 45, False),
    ]
    console = page.blocks[0]
    assert [(c.text, c.origin.line, c.expected) for c in console.commands] == [
        ("cd docker", 12, []),
        ("docker compose up -d --wait", 13, ["..."]),
        ("echo 17.2", 15, ["17.2"]),
    ]
    assert console.commands[2].expected_origins == [Origin(path, 16)]
    assert console.body.split("\n")[3] == "$ echo 17.2"
    assert [o.line for o in console.line_origins] == [12, 13, 14, 15, 16]
    assert page.blocks[1].body == "services: {}"
    assert page.blocks[1].line_origins == [Origin(path, 22)]
    assert page.blocks[2].body == "sleep 1000"
    assert page.blocks[3].commands == []


def test_page_outside_docs_without_project(tmp_path):
    path = write(tmp_path, "```console\n$ echo {{ version }}\n{{ version }}\n```\n", "notes.md")
    [block] = load_page(path, None).blocks
    assert block.commands[0].text == "echo {{ version }}"
    assert block.commands[0].expected == ["{{ version }}"]


def test_page_outside_docs_with_project(project):
    path = write(project.root, "```sh\necho {{ version }}\n```\n", "README.md")
    assert load_page(path, project).blocks[0].body == "echo 17.2"


def test_included_commands_carry_the_snippet_origin(project):
    snippet = project.root / "snippets" / "ps.txt"
    snippet.write_text("$ docker compose ps\nNAME ...\n")
    path = write(project.root, '```console\n$ cd docker\n--8<-- "ps.txt"\n```\n')
    [block] = load_page(path, project).blocks
    ps = block.commands[1]
    assert ps.origin == Origin(snippet.resolve(), 1)
    assert ps.expected_origins == [Origin(snippet.resolve(), 2)]


def test_page_without_blocks(project):
    page = load_page(write(project.root, "# Just prose\n"), project)
    assert page.blocks == [] and page.options == {}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# T\n\n```console\n$ ls\n", 3, "never closed"),
        ('```console retry="1"\n$ ls\n```', 1, "unknown option 'retry'"),
        ('\n\n```console test="skip"\n$ ls\n```', 3, "needs a reason"),
        ('```console wait="soon"\n$ ls\n```', 1, "whole number"),
        ("```console wait=5\n$ ls\n```", 1, 'key="value"'),
        ("```console\nfile1\n$ ls\n```", 2, "must start with a `$ ` command"),
        ("```console\n\n```", 1, "has no command"),
        ('```console requires="moon"\n$ ls\n```', 1, "names no condition"),
        ('```json test="skip" reason="x"\n{}\n```', 1, "shown, not run"),
        ('```yaml file="a.yaml" exit="1"\na: 1\n```', 1, "exit= goes on console and shell"),
        ('```console file="a"\n$ ls\n```', 1, "file= writes a block"),
        ("<!-- execdocs\n```console\nout\n```\n-->", 3, "must start with a `$ ` command"),
        ('```console\n--8<-- "missing.txt"\n```', 2, "does not exist"),
        ("!!! note\n    ```console\n    $ ls\n", 2, "never closed"),
    ],
)
def test_invalid_pages_are_refused_with_file_and_line(project, text, line, words):
    path = write(project.root, text)
    error = refused(path, project)
    assert error.origin == Origin(path, line)
    assert words in error.message


@pytest.mark.parametrize(
    ("front", "words"),
    [
        ('execdocs:\n  skip: ""', "is the reason"),
        ("execdocs:\n  skip: true", "is the reason"),
        ("execdocs:\n  timeout: soon", "limit in seconds"),
        ("execdocs:\n  timeout: -5", "limit in seconds"),
        ("execdocs:\n  retries: 2", "unknown page option execdocs.retries"),
        ("execdocs: yes", "must be a mapping"),
    ],
)
def test_invalid_front_matter(project, front, words):
    path = write(project.root, f"---\n{front}\n---\n\n# T\n")
    error = refused(path, project)
    assert error.origin == Origin(path, 1)
    assert words in error.message


def test_page_skip_reason(project):
    path = write(project.root, '---\nexecdocs:\n  skip: "needs a GPU"\n---\n# T\n')
    assert load_page(path, project).options == {"skip": "needs a GPU"}


def test_requires_is_not_checked_without_a_project(tmp_path):
    path = write(tmp_path, '```console requires="anything"\n$ ls\n```\n', "x.md")
    assert load_page(path, None).blocks[0].options == {"requires": "anything"}


def test_unreadable_page(tmp_path):
    error = refused(tmp_path / "missing.md", None)
    assert error.origin == Origin(tmp_path / "missing.md", 1)
    assert "cannot read the page" in error.message


# --- issue 13 ---------------------------------------------------------------------------


def test_a_byte_order_mark_does_not_hide_the_front_matter(tmp_path):
    path = tmp_path / "page.md"
    text = '---\nexecdocs:\n  skip: "needs a GPU"\n---\n\n```console\n$ nvidia-smi\n```\n'
    path.write_bytes("\ufeff".encode() + text.encode())
    page = load_page(path, None)
    assert page.options == {"skip": "needs a GPU"}
    assert page.blocks[0].origin == Origin(path, 6)


def test_every_problem_of_an_invalid_page_is_reported(tmp_path):
    text = (
        "---\nexecdocs:\n  timeout: soon\n  retries: 2\n---\n\n"
        '```console wiat="5"\n$ ls\n```\n\n'
        "```console\nnot a command\n```\n\n"
        '```json test="skip" reason="x"\n{}\n```\n\n'
        "- item\n\n  ```sh\n  echo\nback at top level\n"
    )
    path = write(tmp_path, text, "page.md")
    error = refused_all(path)
    lines = [(p.origin.line, p.message.split(";")[0]) for p in error.problems]
    assert [line for line, _ in lines] == [1, 1, 7, 12, 15, 21]
    assert "unknown option 'wiat'" in lines[2][1] and "shown, not run" in lines[4][1]
    assert str(error).count("\n") == 5
    assert all(line.startswith(f"{path}:") for line in str(error).split("\n"))


def test_each_misread_opening_line_is_reported_and_no_fence_it_hid_is_unclosed(tmp_path):
    # As on real pages tabbed with tab="..." (which superfences does not read): every one
    # is refused at its line, and the closing lines the site misread are not reported.
    blocks = ['```yaml tab="Docker"\na: 1\n```', '```toml tab="TOML"\n[a]\n```',
              '```console tab="CLI"\n$ ls\n```']
    path = write(tmp_path, "\n\n".join(blocks) + "\n", "page.md")
    error = refused_all(path)
    assert [p.origin.line for p in error.problems] == [1, 5, 9]
    assert all("unknown option 'tab'" in p.message for p in error.problems)


def refused_all(path: Path) -> InvalidPage:
    with pytest.raises(InvalidPage) as caught:
        load_page(path, None)
    return caught.value


@pytest.mark.parametrize("info", ['title="Output"', 'hl_lines="2"', 'title="a b" linenums="1"'])
def test_a_display_only_block_without_a_language_is_shown(tmp_path, info):
    path = write(tmp_path, f"```{info}\nplain text\n```\n", "page.md")
    [block] = load_page(path, None).blocks
    assert (block.lang, block.kind, block.options) == ("", "shown", {})


def test_the_attribute_form_refusal_quotes_the_whole_info_string(tmp_path):
    path = write(tmp_path, '```console {title="a b"}\n$ ls\n```\n', "page.md")
    error = refused_all(path)
    assert """not in braces as in 'console {title="a b"}'""" in error.message
    assert """'{title="a'""" not in error.message  # half a token, as it used to say


def test_an_npm_transcript_runs_one_command(tmp_path):
    body = "$ npm run build\n> my-app@1.0.0 build\n> rm -rf dist && tsc\n"
    path = write(tmp_path, f"```console\n{body}```\n", "page.md")
    [command] = load_page(path, None).blocks[0].commands
    assert command.text == "npm run build"
    assert command.expected == ["> my-app@1.0.0 build", "> rm -rf dist && tsc"]


def test_blocks_follow_the_projects_markdown_extensions(project):
    # The test project enables no def_list: a fence in a definition is shown as text.
    text = "Term\n:   Definition\n\n    ```sh\n    echo x\n    ```\n\n```sh\necho y\n```\n"
    path = write(project.root, text)
    assert [block.body for block in load_page(path, project).blocks] == ["echo y"]
    assert [block.body for block in load_page(path, None).blocks] == ["echo x", "echo y"]
