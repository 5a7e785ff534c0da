"""`python -m execdocs.screenshot URL DIRECTORY`: open URL in headless chromium, once in
the light and once in the dark colour scheme, and write `light.png` and `dark.png` into
DIRECTORY.

The `screenshot` block's evaluator runs it in the page's own shell, so the browser
reaches the page's sandbox (its 127.0.0.1, its ports) exactly as the page's `curl` does.
A page that answers with an error status, logs an error to the console, throws, or has a
request fail is not photographed: each problem is printed on a line of its own and the
exit status is 1. No chromium, or no Playwright to drive it: one line saying so, exit 2.

Chromium is Debian's (`/usr/bin/chromium`), or the one `EXECDOCS_CHROMIUM` names;
Playwright drives it through `executable_path` (its own browser download is not needed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

SCHEMES = ("light", "dark")
VIEWPORT = {"width": 1024, "height": 640}
LOAD_TIMEOUT_MS = 30_000
# The page is photographed once its requests have settled; an app that polls keeps the
# network busy for good, so settling is waited for this long at most.
SETTLE_MS = 5_000


def chromium() -> str | None:
    named = os.environ.get("EXECDOCS_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def photograph(url: str, directory: Path) -> list[str]:
    """Write one PNG per scheme into `directory`; the problems found (none: written)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for scheme in SCHEMES:
                context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
                page = context.new_page()
                seen: list[str] = []
                page.on("console", lambda message, seen=seen: seen.append(
                    f"console {message.type}: {message.text}")
                    if message.type == "error" else None)
                page.on("pageerror", lambda error, seen=seen: seen.append(f"error: {error}"))
                page.on("requestfailed", lambda request, seen=seen: seen.append(
                    f"request failed: {request.method} {request.url}"
                    f" ({request.failure or 'no reason given'})"))
                try:
                    response = page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
                except PlaywrightError as error:
                    problems.append(f"{url} did not load: {str(error).splitlines()[0]}")
                    context.close()
                    break
                if response is not None and response.status >= 400:
                    seen.append(f"{url} answered HTTP {response.status}")
                try:
                    page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
                except PlaywrightError:
                    pass  # still polling: photographed as it is after SETTLE_MS
                if seen:
                    problems += [f"{scheme} scheme: {problem}" for problem in seen]
                else:
                    page.screenshot(path=str(directory / f"{scheme}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m execdocs.screenshot",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("directory", type=Path)
    arguments = parser.parse_args(argv)
    if chromium() is None:
        print("screenshot: no chromium found; install Debian's chromium"
              " (apt-get install chromium) or set EXECDOCS_CHROMIUM to a chromium binary",
              file=sys.stderr)
        return 2
    try:
        import playwright.sync_api  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        print("screenshot: Playwright for Python is not installed; pip install playwright"
              " (its browser download is not needed)", file=sys.stderr)
        return 2
    arguments.directory.mkdir(parents=True, exist_ok=True)
    problems = photograph(arguments.url, arguments.directory)
    for problem in problems:
        print(f"screenshot: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
