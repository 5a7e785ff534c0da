"""A `screenshot` block takes its pictures in Debian's chromium, from the page's own shell:
a page served by the page itself is photographed in both schemes, and a page that logs
an error to the console fails the block with the browser's words."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from execdocs.collect import load_page
from execdocs.docker_engine import Engine
from execdocs.runner import Runner

pytestmark = pytest.mark.browser

PAGE = """\
# A page that serves a page

```bash
mkdir -p site && printf '%s\\n' '{html}' > site/index.html
```

```bash test="background"
exec python3 -m http.server {port} --bind 127.0.0.1 --directory site
```

```bash wait="20"
python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:{port}/")'
```

```screenshot url="http://127.0.0.1:{port}/"
A heading that says Hello.
```
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(tmp_path: Path, html: str):
    page_file = tmp_path / "docs" / "page.md"
    page_file.parent.mkdir(parents=True)
    page_file.write_text(PAGE.format(html=html, port=free_port()))
    (tmp_path / "runs").mkdir()
    page = load_page(page_file, None)
    with Runner(engine=Engine.absent(), runs_base=tmp_path / "runs",
                project_root=tmp_path) as runner:
        return page, runner.run_page(page)


def test_the_page_is_photographed_in_both_schemes(tmp_path):
    # An icon of its own: chromium asks for /favicon.ico otherwise, and logs the 404.
    page, result = run(tmp_path, "<!doctype html><title>t</title>"
                                 "<link rel=icon href=data:,><h1>Hello</h1>")
    assert result.passed, result.failure
    pictures = result.screenshots[3]
    assert set(pictures) == {"light", "dark"}
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in pictures.values())


def test_a_console_error_fails_the_block_with_the_browser_s_words(tmp_path):
    page, result = run(tmp_path, "<!doctype html><title>t</title>"
                                 "<link rel=icon href=data:,>"
                                 "<script>console.error(\"boom\")</script><h1>Hello</h1>")
    assert not result.passed
    assert result.failure.origin.line == 15
    assert "could not photograph http://127.0.0.1:" in result.failure.message
    assert "light scheme: console error: boom" in result.failure.output
    assert result.screenshots == {}
