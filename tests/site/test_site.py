"""The built site as a reader sees it, in headless chromium.

Every page: loads without console errors and without a request leaving 127.0.0.1,
shows no raw template, snippet, fence-option or hidden-block text, and renders each of
its fenced blocks as a code block with a copy button. Search finds pages; the colour
scheme toggles. Screenshots of the main pages go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from papertrade_docs.lint.blocks import page_fences

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Left behind when a macro was not rendered: `{{ name(...) }}`, `{{ name }}`, `{% ... %}`.
# Docker's and Go's own templates (`{{.Size}}`, `{{json .Config}}`) are shown on purpose.
RAW_JINJA = re.compile(r"\{\{-?\s+[A-Za-z_][\w.]*\s*(?:\(|\||-?\}\})|\{%")
FENCE_OPTION = re.compile(r"\b(?:test|reason|wait|file|timeout|exit|requires)=\"")
LEFTOVERS = {
    "an unrendered macro": RAW_JINJA,
    "a snippet include (--8<--)": re.compile(r"--8<--"),
    # Not Python's traceback markers (`~~~~^^^^`), which recorded output shows.
    "a fence that did not render (```)": re.compile(r"```|~~~(?!~*\^)"),
}

# All visible text, code blocks removed: fence options leak into prose or inline code.
TEXT_OUTSIDE_CODE_BLOCKS = """() => {
  const body = document.querySelector('.md-content').cloneNode(true);
  body.querySelectorAll('pre, script, style').forEach(node => node.remove());
  return body.textContent;
}"""
EDIT_LINK = "a.md-content__button[href*='/edit/']"


def source_of(page) -> Path | None:
    """The Markdown file a built page came from, read from its 'edit this page' link."""
    link = page.locator(EDIT_LINK)
    if link.count() == 0:
        return None  # a page the blog plugin generates: archive, category, pagination
    path = unquote(urlsplit(link.first.get_attribute("href")).path)
    return ROOT / path.split("/edit/main/", 1)[1]


def test_every_page_loads_without_errors_or_foreign_requests(built_site, open_page):
    pages = built_site.html_pages()
    assert "" in pages and "progress/" in pages, f"unexpected page list: {pages}"
    problems = []
    for path in pages:
        page, visit = open_page(path)
        for kind, found in (("console error", visit.console_errors),
                            ("uncaught error", visit.page_errors),
                            ("request leaving 127.0.0.1", visit.foreign_requests)):
            problems += [f"/{path}: {kind}: {item}" for item in found]
        page.context.close()
    assert not problems, "\n".join(problems)


def test_no_page_shows_template_snippet_option_or_hidden_text(built_site, visit_each):
    problems = []
    for path, page in visit_each(built_site.html_pages()):
        visible = page.locator(".md-content").inner_text()
        for what, pattern in LEFTOVERS.items():
            for match in pattern.finditer(visible):
                problems.append(f"/{path}: shows {what}: {match.group()!r}")
        outside_code = page.evaluate(TEXT_OUTSIDE_CODE_BLOCKS)
        for match in FENCE_OPTION.finditer(outside_code):
            problems.append(f"/{path}: shows a fence option outside a code block: "
                            f"{match.group()!r}")
        if "<!-- execdocs" in page.content():
            problems.append(f"/{path}: its HTML still holds a hidden '<!-- execdocs' block")
        attributes = page.evaluate(
            "() => [...document.querySelectorAll('.md-content pre, .md-content code')]"
            ".map(node => node.className)"
        )
        for value in attributes:
            if FENCE_OPTION.search(value) or "=" in value:
                problems.append(f"/{path}: a code block carries fence options: {value!r}")
    assert not problems, "\n".join(problems)


def test_every_fenced_block_is_a_code_block_with_a_copy_button(built_site, visit_each):
    problems = []
    checked_sources = 0
    for path, page in visit_each(built_site.html_pages()):
        blocks = page.locator(".md-content pre > code")
        buttons = page.locator(".md-content pre button.md-code__button[data-md-type='copy']")
        if blocks.count() != buttons.count():
            problems.append(f"/{path}: {blocks.count()} code blocks but {buttons.count()} "
                            "copy buttons")
        source = source_of(page)
        if source is not None:
            checked_sources += 1
            # A screenshot block shows its pictures, not code.
            shown = [fence for fence in page_fences(source)
                     if not fence.hidden and fence.lang != "screenshot"]
            # The notes' index also shows the notes' excerpts, so it may have more.
            if blocks.count() < len(shown):
                problems.append(f"/{path}: {source.relative_to(ROOT)} has {len(shown)} "
                                f"fenced blocks but the page shows {blocks.count()} code blocks")
    assert checked_sources >= 2, "no page had an 'edit this page' link to find its source by"
    assert not problems, "\n".join(problems)


def test_copy_button_copies_only_the_commands_of_a_console_block(built_site, open_page):
    page, _ = open_page("")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    block = page.locator(".md-content .language-console pre").first
    block.hover()
    block.locator("button.md-code__button[data-md-type='copy']").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    shown = block.locator("code").inner_text()
    assert shown.startswith("$ ")
    assert copied.splitlines() == [line[2:] for line in shown.splitlines() if line.startswith("$ ")]


def _hot_reload_page() -> Path | None:
    return next(iter(sorted(DOCS.glob("**/development.md"))), None)


def _search(page, query: str) -> list[str]:
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=30)  # as a reader types; fill() skips key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    return [urlsplit(results.nth(i).get_attribute("href")).path
            for i in range(results.count())]


def test_search_finds_the_page_about_it(built_site, open_page):
    development = _hot_reload_page()
    if development is not None:
        # The Docker guide's development page exists: the reader's real question.
        query = "hot reload"
        expected = development.relative_to(DOCS).with_suffix("").as_posix() + "/"
    else:
        # Until then: a word only the foundation note uses.
        query = "debootstrap"
        expected = "/progress/"
    page, visit = open_page("")
    found = _search(page, query)
    assert any(expected in href for href in found), f"searching {query!r} found {found}"
    assert not visit.foreign_requests


def test_dark_scheme_toggles_and_is_remembered(built_site, open_page):
    page, _ = open_page("")
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.locator("label.md-header__button[title='Switch to dark mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.reload(wait_until="networkidle")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.locator("label.md-header__button[title='Switch to light mode']").click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"


def _main_pages(built_site) -> dict[str, str]:
    """name -> page: the landing page, each guide page that exists, the notes."""
    pages = {"landing": "", "progress": "progress/"}
    for source in sorted(DOCS.glob("**/*.md")):
        relative = source.relative_to(DOCS)
        if relative.parts[0] == "progress" or relative.name == "index.md":
            continue
        pages[relative.with_suffix("").as_posix().replace("/", "-")] = (
            relative.with_suffix("").as_posix() + "/")
    notes = [p for p in built_site.html_pages() if re.match(r"progress/\d{4}/", p)]
    if notes:
        pages["progress-note"] = notes[0]
    return pages


def test_screenshots_of_the_main_pages(built_site, visit_each, screenshots_dir):
    written = []
    pages = _main_pages(built_site)
    names = {path: name for name, path in pages.items()}
    for scheme in ("light", "dark"):
        for path, page in visit_each(list(pages.values()), color_scheme=scheme):
            target = screenshots_dir / f"{names[path]}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
    for target in written:
        assert target.stat().st_size > 10_000, f"{target} looks blank"
