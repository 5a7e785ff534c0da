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
