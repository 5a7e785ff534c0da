"""The Python-Markdown extension cleans fences for readers under any generator: alone,
inside Zensical's rendering (its context read from the Markdown instance), and under
MkDocs (the plugin hands it the page). Zensical itself builds in tests/site."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from markdown.preprocessors import Preprocessor
from mkdocs_project import MKDOCS_YML, write_project

from execdocs.config import Project
from execdocs.markdown_extension import NAME, ReaderError
from execdocs.options import TEST_OPTIONS
from execdocs.site_markdown import SiteMarkdown

PAGE = """\
# Page

```console wait="60" timeout="120"
$ docker compose up -d --wait
```

!!! note
    ```yaml file="compose.override.yaml"
    services: {}
    ```

<!-- execdocs
```console
$ echo HIDDEN-ON-THE-PAGE
```
-->

--8<-- "whole-block.md"
"""

WHOLE_BLOCK = """\
```console test="skip" reason="SKIP-REASON"
$ echo from-a-snippet
```

<!-- execdocs
```sh
echo HIDDEN-IN-A-SNIPPET
```
-->
"""

EXTENSIONS = ["admonition", "pymdownx.highlight", "pymdownx.superfences", "pymdownx.snippets"]


def render(text: str, tmp_path: Path, extensions=(NAME,)) -> str:
    (tmp_path / "whole-block.md").write_text(WHOLE_BLOCK)
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, *extensions],
        extension_configs={"pymdownx.snippets": {"base_path": [str(tmp_path)],
                                                 "check_paths": True}},
    )
    return md.convert(text)


def code_blocks(html: str) -> list[str]:
    return [b for b in re.findall(r"<pre[^>]*>.*?</pre>", html, flags=re.S) if "<code" in b]


def test_without_the_extension_options_and_hidden_blocks_leak(tmp_path):
    # The control: plain Python-Markdown (as Zensical runs it) shows the machinery.
    html = render(PAGE, tmp_path, extensions=())
    assert "HIDDEN-ON-THE-PAGE" in html and 'wait="60"' in html


def test_with_the_extension_readers_see_code_blocks_only(tmp_path):
    html = render(PAGE, tmp_path)
    assert len(code_blocks(html)) == 3
    assert "```" not in html
    for key in TEST_OPTIONS:
        assert f"{key}=" not in html
    assert "SKIP-REASON" not in html and "HIDDEN" not in html and "execdocs" not in html
    assert re.search(r'class="filename">compose\.override\.yaml<', html)
    assert "echo from-a-snippet" in re.sub(r"<[^>]+>", "", html)


def test_a_broken_page_is_refused_with_its_line(tmp_path):
    with pytest.raises(ReaderError, match=r"\(page\):3: this ``` fence is never closed"):
        render("# Page\n\n```console\n$ ls\n", tmp_path)


def test_broken_included_text_is_refused_too(tmp_path):
    (tmp_path / "broken.md").write_text("```console\n$ ls\n")
    # Counted on the page as included (the page's own lines are clean by then).
    with pytest.raises(ReaderError, match=r"\(included text\):3: this ``` fence"):
        render('# Page\n\n--8<-- "broken.md"\n', tmp_path)


class _ZensicalContext(Preprocessor):
    """What Zensical registers on each page's Markdown: its config and the page."""

    def __init__(self, md, config, page):
        super().__init__(md)
        self.config, self.page = config, page

    def run(self, lines):
        return lines


def test_under_zensical_the_page_and_extensions_come_from_its_rendering_context(tmp_path):
    (tmp_path / "docs").mkdir()
    source = "---\ntitle: T\n---\n# T\n\n```console\n$ ls\n"
    (tmp_path / "docs" / "p.md").write_text(source)
    config = {
        "root_dir": str(tmp_path),
        "docs_dir": "docs",
        # Zensical's own extensions are left out of the scan (not even imported here).
        "markdown_extensions": [object(), "toc", "pymdownx.superfences",
                                "zensical.extensions.macros", NAME],
        "mdx_configs": {"zensical.extensions.macros": {"module_name": "main"}},
    }
    md = markdown.Markdown(extensions=["pymdownx.superfences", NAME])
    context = _ZensicalContext(md, config, SimpleNamespace(path="p.md"))
    md.preprocessors.register(context, "rendering_context", 0)
    with pytest.raises(ReaderError, match=r"docs/p\.md:6: this ``` fence is never closed"):
        md.convert(source.split("---\n", 2)[2])  # Zensical hands over the body only


def test_the_runner_leaves_the_extension_out_of_its_scan(tmp_path):
    # The extension scans with SiteMarkdown: in it, it would scan forever.
    assert NAME not in SiteMarkdown(["admonition", NAME]).extensions
    yml = MKDOCS_YML + f"  - {NAME}\n"
    project = Project.load(write_project(tmp_path, mkdocs_yml=yml))
    scan = SiteMarkdown.of_project(project).scan(["```console", "$ ls", "```"])
    assert len(scan.shown) == 1


def test_mkdocs_with_the_extension_listed_reports_the_page_and_line(tmp_path):
    yml = MKDOCS_YML + f"  - {NAME}\n"
    write_project(tmp_path, {"docs/index.md": "---\ntitle: T\n---\n# T\n\n```console\n$ ls\n"},
                  mkdocs_yml=yml)
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert build.returncode != 0
    assert "docs/index.md:6: this ``` fence is never closed" in build.stderr
    assert "Traceback" not in build.stderr  # refused as MkDocs refuses, not a crash
