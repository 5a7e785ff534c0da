"""The site builds with Zensical as well as with MkDocs, from the same mkdocs.yml, and
readers get the same pages: the same HTML files and, in each page's content, the same
headings, the same code blocks and the same text; no test option and no hidden block
reaches a page Zensical built (it runs Python-Markdown extensions, not MkDocs plugins:
execdocs.markdown_extension does the cleaning under both).

Zensical lives in a venv of its own, build/zensical-venv (its pins may clash with
.venv's), made here on first use from tests/site/requirements-zensical.txt and the
project (editable), and reused while neither changes. Where it cannot be installed the
test is skipped with pip's reason; on CI it fails instead.

Both generators build a fresh copy of the repository (Zensical writes site/ and .cache/
beside mkdocs.yml): the site itself, and a small project with what the site's pages do
not all use today (a `file=` title, a content tab, snippets with options and hidden
blocks, a fence written by a macro).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from execdocs.markdown_extension import NAME
from execdocs.options import TEST_OPTIONS
from execdocs.workspace import copy_for_page

pytestmark = pytest.mark.browser  # with the checks of the built site: `make test-browser`

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name("requirements-zensical.txt")
VENV = ROOT / "build" / "zensical-venv"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A test option left in an HTML tag's attributes (a fence's title or class, say).
OPTION_IN_A_TAG = re.compile(rf"<[^>]*\s(?:{'|'.join(TEST_OPTIONS)})=[^>]*>")


def _noise(line: str) -> bool:
    # pip's notes about this machine's missing local indexes are noise, not news.
    return "is ignored: it is neither" in line or not line.strip()


def provision_zensical() -> Path:
    """build/zensical-venv/bin/zensical, installing it first when needed."""
    stamp = hashlib.sha256(
        REQUIREMENTS.read_bytes() + (ROOT / "pyproject.toml").read_bytes()
        + sys.version.encode()
    ).hexdigest()
    executable = VENV / "bin" / "zensical"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "zensical-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time (pytest -n 2)
        stamp_file = VENV / ".provisioned"
        if executable.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
            return executable
        shutil.rmtree(VENV, ignore_errors=True)
        for command in (
            [sys.executable, "-m", "venv", str(VENV)],
            [str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
             "-r", str(REQUIREMENTS), "-e", str(ROOT)],
        ):
            # More retries than pip's five (about 8 s in all): the index's name has been
            # seen not to resolve for longer. An environment variable, so that pip's
            # subprocess fetching the build backend (setuptools) retries too.
            done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                  env={**os.environ, "PIP_RETRIES": "8"})
            if done.returncode != 0:
                said = [line.strip() for line in (done.stderr + done.stdout).splitlines()
                        if not _noise(line)]
                errors = [line for line in said if line.startswith("ERROR:")]
                why = (errors or said or [f"exit status {done.returncode}"])[-1]
                reason = (f"Zensical cannot be installed here ({' '.join(command[:3])}: "
                          f"{why[:400]})")
                shutil.rmtree(VENV, ignore_errors=True)
                if os.environ.get("CI"):
                    pytest.fail(reason, pytrace=False)
                pytest.skip(reason)
        stamp_file.write_text(stamp)
    return executable


@dataclass
class Builds:
    mkdocs: Path
    zensical: Path
    zensical_seconds: float

    def pages(self, site: Path) -> list[str]:
        return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def build_both(root: Path, zensical: Path, mkdocs_site: Path) -> Builds:
    """`root` built by MkDocs into `mkdocs_site` and by Zensical into root/site."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    mkdocs = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(mkdocs_site)],
        cwd=root, capture_output=True, text=True, timeout=300, env=env,
    )
    if mkdocs.returncode != 0:
        pytest.fail("mkdocs build --strict failed; run 'make build' to see all of it:\n"
                    + mkdocs.stderr[-3000:], pytrace=False)
    started = time.monotonic()
    built = subprocess.run(
        [str(zensical), "build", "--config-file", "mkdocs.yml", "--strict"],
        cwd=root, capture_output=True, text=True, timeout=300, env=env,
    )
    seconds = time.monotonic() - started
    if built.returncode != 0:
        said = ANSI.sub("", built.stdout + built.stderr)
        pytest.fail(f"zensical build --strict failed in {root}:\n{said[-3000:]}", pytrace=False)
    return Builds(mkdocs_site, root / "site", seconds)


class Content(HTMLParser):
    """What a reader reads of a page: the theme's content area (`data-md-component=
    "content"`), its headings (permalinks aside), its code blocks and all its text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.code_blocks: list[str] = []
        self._text: list[str] = []
        self._open: list[str] = []  # the tags open inside the content area
        self._inside = self._permalink = 0
        self._heading: tuple[str, list[str]] | None = None
        self._code: list[str] | None = None
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if not self._inside:
            if attributes.get("data-md-component") == "content":
                self._inside = 1
            return
        if tag in self.VOID:
            return
        self._inside += 1
        permalink = tag == "a" and "headerlink" in (attributes.get("class") or "")
        self._open.append("permalink" if permalink else tag)
        self._permalink += permalink
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (tag, [])
        elif tag == "pre":
            self._code = []

    def handle_endtag(self, tag):
        if not self._inside or tag in self.VOID:
            return
        self._inside -= 1
        if not self._open:
            return
        opened = self._open.pop()
        if opened == "permalink":
            self._permalink -= 1
        elif re.fullmatch(r"h[1-6]", opened) and self._heading:
            self.headings.append((self._heading[0], " ".join("".join(self._heading[1]).split())))
            self._heading = None
        elif opened == "pre" and self._code is not None:
            self.code_blocks.append("".join(self._code))
            self._code = None

    def handle_data(self, data):
        if not self._inside or self._permalink:
            return
        self._text.append(data)
        if self._heading:
            self._heading[1].append(data)
        if self._code is not None:
            self._code.append(data)


def read(site: Path, page: str) -> Content:
    return Content((site / page).read_text(encoding="utf-8"))


def assert_same_reading(builds: Builds) -> None:
    """The comparison itself, page by page."""
    pages = builds.pages(builds.mkdocs)
    assert builds.pages(builds.zensical) == pages
    for page in pages:
        mkdocs, zensical = read(builds.mkdocs, page), read(builds.zensical, page)
        assert mkdocs.text, f"{page}: no content area found in the MkDocs build"
        assert zensical.headings == mkdocs.headings, page
        assert zensical.code_blocks == mkdocs.code_blocks, page
        assert zensical.text == mkdocs.text, page


def assert_nothing_leaks(site: Path) -> None:
    """What the text comparison cannot see: HTML comments and attributes."""
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        page = path.relative_to(site)
        assert "<!-- execdocs" not in html, f"{page}: a hidden block reached the page"
        leaked = OPTION_IN_A_TAG.search(html)
        assert leaked is None, f"{page}: a test option reached the page: {leaked.group()}"


@pytest.fixture(scope="module")
def zensical() -> Path:
    return provision_zensical()


@pytest.fixture(scope="module")
def site_builds(zensical, tmp_path_factory) -> Builds:
    copy = copy_for_page(ROOT / "mkdocs.yml", tmp_path_factory.mktemp("zensical"))
    return build_both(copy, zensical, copy.parent / "mkdocs-site")


def test_the_site_builds_with_zensical_as_mkdocs_builds_it(site_builds):
    assert len(site_builds.pages(site_builds.zensical)) > 1
    assert_same_reading(site_builds)


def test_no_option_or_hidden_block_reaches_a_page_zensical_built(site_builds):
    assert_nothing_leaks(site_builds.zensical)


def test_the_zensical_build_is_quick(site_builds):
    # 1.1 s here for the whole site; minutes would mean a regression worth a look.
    assert site_builds.zensical_seconds < 60


SAMPLE_YML = f"""\
site_name: Sample
strict: true
theme:
  name: material
plugins:
  - macros:
      module_name: main
      on_error_fail: true
      on_undefined: strict
  - execdocs
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
  - {NAME}
"""

SAMPLE_MACROS = '''\
def define_env(env):
    env.variables["version"] = "17.2"

    @env.macro
    def fenced(lang, text):
        return f"```{lang} wait=\\"5\\"\\n{text}\\n```"
'''

SAMPLE_PAGE = """\
# Sample

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

```console test="skip" reason="SKIP-REASON"
$ docker pull postgres:{{ version }}
```

{{ fenced("console", "$ echo FROM-A-MACRO") }}

<!-- execdocs
```console
$ echo HIDDEN-ON-THE-PAGE
```
-->

```console
--8<-- "included.md"
```

--8<-- "whole-block.md"
"""

SAMPLE_SNIPPET = """\
```console requires="always"
$ echo FROM-A-SNIPPET
```

<!-- execdocs
```sh
echo HIDDEN-IN-A-SNIPPET
```
-->
"""


@pytest.fixture(scope="module")
def sample_builds(zensical, tmp_path_factory) -> Builds:
    root = tmp_path_factory.mktemp("sample")
    for name, text in {
        "mkdocs.yml": SAMPLE_YML,
        "main.py": SAMPLE_MACROS,
        "docs/index.md": SAMPLE_PAGE,
        "snippets/included.md": "$ echo INCLUDED\n",
        "snippets/whole-block.md": SAMPLE_SNIPPET,
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return build_both(root, zensical, root.parent / "sample-mkdocs-site")


def test_a_page_using_every_kind_of_fence_reads_the_same(sample_builds):
    assert_same_reading(sample_builds)
    assert_nothing_leaks(sample_builds.zensical)
    html = (sample_builds.zensical / "index.html").read_text(encoding="utf-8")
    page = read(sample_builds.zensical, "index.html")
    assert len(page.code_blocks) == 7
    assert re.search(r'class="filename">docker/compose\.override\.yaml<', html)
    for shown in ("postgres:17.2", "FROM-A-MACRO", "INCLUDED", "FROM-A-SNIPPET"):
        assert shown in page.text
    for hidden in ("HIDDEN", "SKIP-REASON", "--8<--", "```", "~~~"):
        assert hidden not in html
