"""The site build hides the test machinery: a real `mkdocs build` of a tiny project."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs_project import write_project

from execdocs.mkdocs_plugin import reader_lines
from execdocs.model import Origin
from execdocs.options import TEST_OPTIONS

PAGE = """\
# Blocks

```console wait="60" timeout="120"
$ docker compose up -d --wait
```

1. In a list item:

    ```console exit="1"
    $ false
    ```

!!! note "An admonition"
    ```bash test="background"
    sleep 1000
    ```

=== "A tab"

    ~~~~yaml file="docker/compose.override.yaml"
    services: {}
    ~~~~

```console test="skip" reason="needs Docker Hub"
$ docker pull postgres:17
```

```text requires="always" title="Kept title" linenums="1"
plain
```

```sh
echo {{ version }}
```

<!-- execdocs
```console
$ echo HIDDEN-TEARDOWN
```
-->

```console
--8<-- "included.md"
```

--8<-- "whole-block.md"
"""

WHOLE_BLOCK = """\
```console wait="5"
$ echo from-a-snippet
```

<!-- execdocs
```sh
echo HIDDEN-IN-SNIPPET
```
-->
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("site")
    write_project(
        root,
        {
            "docs/index.md": PAGE,
            "snippets/included.md": "$ echo included\n",
            "snippets/whole-block.md": WHOLE_BLOCK,
        },
    )
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(root / "mkdocs.yml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    return (root / "site" / "index.html").read_text()


def code_blocks(html: str) -> list[str]:
    """The <pre> elements holding code (not the line-number column of `linenums`)."""
    return [b for b in re.findall(r"<pre[^>]*>.*?</pre>", html, flags=re.S) if "<code" in b]


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_every_fence_renders_as_a_code_block(site):
    # 9 visible fences: 7 of the page, 1 with an included body, 1 from a whole-block snippet.
    assert len(code_blocks(site)) == 9
    assert "```" not in site and "~~~~" not in site  # no fence fell through as text


def test_no_option_text_reaches_the_html(site):
    for key in TEST_OPTIONS:
        assert f"{key}=" not in site
    for value in ("needs Docker Hub", "background", "always"):
        assert value not in site


def test_file_becomes_the_title_and_titles_are_kept(site):
    assert re.search(r'class="filename">docker/compose\.override\.yaml<', site)
    assert re.search(r'class="filename">Kept title<', site)


def test_hidden_blocks_are_removed_entirely(site):
    assert "HIDDEN" not in site
    assert "execdocs" not in site


def test_macros_and_snippets_still_render(site):
    text = text_of(site)
    assert "echo 17.2" in text
    assert "echo included" in text and "echo from-a-snippet" in text


def test_reader_lines_keeps_indentation_and_line_count_outside_hidden_blocks():
    lines = [
        "- item",
        "",
        '    ```console wait="3"',
        "    $ ls",
        "    ```",
        "<!-- execdocs",
        "```sh",
        "x",
        "```",
        "-->",
        "end",
    ]
    origins = [Origin(Path("p.md"), k + 1) for k in range(len(lines))]
    assert reader_lines(lines, origins) == [
        "- item",
        "",
        "    ```console",
        "    $ ls",
        "    ```",
        "end",
    ]


def test_unterminated_fence_fails_the_build(tmp_path):
    root = tmp_path
    write_project(root, {"docs/index.md": "---\ntitle: T\n---\n# T\n\n```console\n$ ls\n"})
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode != 0
    assert "docs/index.md:6: this ``` fence is never closed" in build.stderr


def test_reader_lines_reads_a_tab_in_an_info_string_inside_containers():
    lines = [
        "!!! note",
        '    ```console\ttitle="x"\twait="5"',
        "    $ ls",
        "    ```",
        "",
        '=== "Tab"',
        "",
        '    ```yaml\tfile="a.yaml"',
        "    a: 1",
        "    ```",
    ]
    origins = [Origin(Path("p.md"), k + 1) for k in range(len(lines))]
    out = reader_lines(lines, origins)
    assert out[1] == '    ```console title="x"'
    assert out[7] == '    ```yaml title="a.yaml"'
    assert [line for k, line in enumerate(out) if k not in (1, 7)] == [
        line for k, line in enumerate(lines) if k not in (1, 7)
    ]


CONTAINERS = """\
# Containers

!!! note
    ```console\twait="5"\ttitle="In a note"
    $ echo IN-A-NOTE
    ```

=== "Tab"

    ```yaml\tfile="tabbed.yaml"
    key: IN-A-TAB
    ```

<details>
<summary>More</summary>
```console test="skip" reason="SKIPPED-REASON"
$ echo IN-DETAILS
```
</details>
"""


def test_a_site_with_tabs_in_info_strings_inside_containers_builds(tmp_path):
    write_project(tmp_path, {"docs/index.md": CONTAINERS})
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", "mkdocs.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert build.returncode == 0, build.stderr
    site = (tmp_path / "site" / "index.html").read_text()
    assert len(code_blocks(site)) == 3
    assert re.search(r'class="filename">In a note<', site)
    assert re.search(r'class="filename">tabbed\.yaml<', site)
    assert "wait=" not in site and "SKIPPED-REASON" not in site
