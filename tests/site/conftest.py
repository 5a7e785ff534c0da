"""The built site, served on 127.0.0.1, in Debian's headless chromium.

Every request the browser makes to a host other than the local server is aborted and
recorded, so a page that would fetch a font, a script or an avatar from elsewhere fails
the checks instead of quietly reaching the network.
"""

from __future__ import annotations

import functools
import os
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


class QuietHandler(SimpleHTTPRequestHandler):
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


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
