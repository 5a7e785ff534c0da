"""The built site, served on 127.0.0.1, in Debian's headless chromium.

Every request the browser makes to a host other than the local server is aborted and
recorded, so a page that would fetch a font, a script or an avatar from elsewhere fails
the checks instead of quietly reaching the network.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 860}
AXE = ROOT / "tests" / "site" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def _site_path() -> str:
    """site_url's path ("/docker-docs/"): the 404 page links its assets below it."""
    match = re.search(r"^site_url:\s*\S+?://[^/\s]+(/\S*)$",
                      (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    return match.group(1).rstrip("/") + "/" if match else "/"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site at / and, as where it is deployed, at site_url's path too."""

    prefix = _site_path()

    def translate_path(self, path):
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@dataclass
class BuiltSite:
    directory: Path
    base_url: str

    def html_pages(self) -> list[str]:
        """Every page of the site, as a path below the base URL ("" is the landing page)."""
        pages = []
        for path in sorted(self.directory.rglob("index.html")):
            relative = path.parent.relative_to(self.directory).as_posix()
            pages.append("" if relative == "." else f"{relative}/")
        return pages

    def every_page(self) -> list[str]:
        """html_pages() and every other HTML file of the build (404.html)."""
        others = sorted(path.relative_to(self.directory).as_posix()
                        for path in self.directory.rglob("*.html")
                        if path.name != "index.html")
        return self.html_pages() + others

    def url(self, page: str) -> str:
        return f"{self.base_url}/{page}"


@dataclass
class Visit:
    """What one page load did: console errors, uncaught errors, foreign requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    directory = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        # Not --quiet: it hides the warnings that --strict counts, and the build passes.
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(directory)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if result.returncode != 0:
        pytest.fail("mkdocs build --strict failed; run 'make build' to see all of it:\n"
                    + "\n".join(line for line in result.stderr.splitlines()
                                if "WARNING" in line or "ERROR" in line or "Aborted" in line),
                    pytrace=False)
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield BuiltSite(directory, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make chromium' (as root on Debian), or set "
                    "CHROMIUM to a chromium binary", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser, built_site):
    """open_page(path, color_scheme="light") -> (page, visit), every foreign request aborted."""
    contexts = []
    site_host = urlsplit(built_site.base_url).netloc

    def open_(path: str, color_scheme: str = "light"):
        context = browser.new_context(viewport=VIEWPORT, color_scheme=color_scheme)
        contexts.append(context)
        visit = Visit()

        def guard(route):
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob") or parts.netloc == site_host:
                route.continue_()
            else:
                visit.foreign_requests.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error"
                and visit.console_errors.append(message.text))
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        page.goto(built_site.url(path), wait_until="networkidle")
        return page, visit

    yield open_
    for context in contexts:
        context.close()


# Two frames after `load`: Material has mounted its components (copy buttons, tabs).
SETTLED = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""


@pytest.fixture
def visit_each(open_page, built_site):
    """visit_each(paths, color_scheme="light") -> (path, page) for each path, in one page
    reused throughout.

    Faster than open_page per path (no new context, no "networkidle" wait), for checks
    of what a page shows; foreign requests are still aborted. Checks of what a load
    does (console errors, requests) keep open_page.
    """

    def each(paths, color_scheme: str = "light"):
        page = None
        for path in paths:
            if page is None:
                page, _ = open_page(path, color_scheme=color_scheme)
            else:
                page.goto(built_site.url(path), wait_until="load")
            page.evaluate(SETTLED)
            yield path, page

    return each


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from the npm registry (tests/site/axe/package-lock.json)."""
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run 'make chromium' (or "
                    "bash tests/site/ensure-axe.sh)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
