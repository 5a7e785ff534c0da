"""WCAG 2.2 AA on every page of the built site, light and dark, and the keyboard.

axe-core (tests/site/axe/, from the npm registry) runs in headless chromium on every
HTML page of the build, in Material's light (`default`) and dark (`slate`) scheme, with
collapsible blocks opened and each content tab shown in turn, and on the search results;
any violation of the `wcag2a`, `wcag2aa`, `wcag21aa` or `wcag22aa` rules fails, named by
page, scheme, rule and element. The keyboard checks walk a page with Tab: navigation,
search, copy buttons, content tabs and collapsible blocks are reached, show a visible
focus, and work from the keyboard.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
SCHEMES = {"default": "light", "slate": "dark"}
# The most lines a failure message lists; the count of the rest follows.
SHOWN = 120

# The scheme as Material's palette toggle sets it, without easing from the last one
# (colours caught half-way fail the contrast rule for the wrong reason).
SET_SCHEME = """async scheme => {
  if (!document.getElementById('pt-no-transitions')) {
    const style = document.createElement('style');
    style.id = 'pt-no-transitions';
    style.textContent = '*, *::before, *::after { transition: none !important; }';
    document.head.append(style);
  }
  document.body.setAttribute('data-md-color-scheme', scheme);
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""

OPEN_COLLAPSIBLES = """() => document.querySelectorAll('.md-content details:not([open])')
  .forEach(details => { details.open = true; })"""

# How many tabs the largest tabbed set has; show_tab(k) checks the k-th (0-based) tab
# of every set that has one, as a click on its label does.
MOST_TABS = """() => Math.max(0, ...[...document.querySelectorAll('.tabbed-set')]
  .map(set => set.querySelectorAll(':scope > input').length))"""
SHOW_TAB = """async k => {
  for (const set of document.querySelectorAll('.tabbed-set')) {
    const input = set.querySelectorAll(':scope > input')[k];
    if (input) { input.checked = true; input.dispatchEvent(new Event('change')); }
  }
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""

RUN_AXE = """async ({tags, include}) => {
  const result = await axe.run(include ? {include: [include]} : document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.flatMap(rule => rule.nodes.map(node => ({
    rule: rule.id,
    impact: rule.impact,
    target: node.target.map(part => [].concat(part).join(' >>> ')).join(' '),
    summary: (node.failureSummary || rule.help).split('\\n').slice(1)
      .map(line => line.trim()).filter(Boolean).join('; ') || rule.help,
  })));
}"""


def _axe(page, axe_source: str, where: str, include: str | None = None) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(RUN_AXE, {"tags": WCAG_TAGS, "include": include})
    return [f"{where}: {item['rule']} ({item['impact']}): {item['target']}: "
            f"{item['summary']}" for item in found]


def _report(problems: list[str], checked: str) -> str:
    shown = problems[:SHOWN]
    more = len(problems) - len(shown)
    return (f"{len(problems)} WCAG 2.2 AA violations ({checked}):\n" + "\n".join(shown)
            + (f"\n... and {more} more" if more else ""))


def test_every_page_passes_axe_wcag22_aa_light_and_dark(built_site, visit_each, axe_source):
    pages = built_site.every_page()
    assert "" in pages and "progress/" in pages and "404.html" in pages, pages
    problems: list[str] = []
    runs = 0
    for path, page in visit_each(pages):
        page.evaluate(OPEN_COLLAPSIBLES)
        tabs = page.evaluate(MOST_TABS)
        for scheme, name in SCHEMES.items():
            page.evaluate(SET_SCHEME, scheme)
            problems += _axe(page, axe_source, f"/{path} [{name}]")
            runs += 1
            # The other tabs of each tabbed set: only the sets need checking again.
            for k in range(1, tabs):
                page.evaluate(SHOW_TAB, k)
                problems += _axe(page, axe_source, f"/{path} [{name}, tab {k + 1}]",
                                 include=".tabbed-set")
            if tabs > 1:
                page.evaluate(SHOW_TAB, 0)
    assert runs == 2 * len(pages)
    assert not problems, _report(problems, f"{len(pages)} pages, light and dark")


def test_search_results_pass_axe_wcag22_aa_light_and_dark(built_site, open_page, axe_source):
    page, _ = open_page("")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("docker compose", delay=20)
    page.locator(".md-search-result__item a").first.wait_for(timeout=10_000)
    problems: list[str] = []
    for scheme, name in SCHEMES.items():
        page.evaluate(SET_SCHEME, scheme)
        problems += _axe(page, axe_source, f"/ search results [{name}]", include=".md-search")
    assert not problems, _report(problems, "the search results, light and dark")


# --- Keyboard -----------------------------------------------------------------------

# The element that shows the focus of the focused one: Material hides the inputs behind
# content tabs, the palette toggle and search, and styles their labels or form instead.
FOCUS_STYLE = """el => {
  let shown = el;
  if (el.matches('.tabbed-set > input')) {
    shown = el.parentElement.querySelector(':scope > .tabbed-labels');
  } else if (el.matches('.md-search__input')) {
    shown = el.closest('.md-search__form');
  } else if (el.matches('input.md-option')) {
    shown = document.querySelector(`label[for="${el.id}"]`);
  }
  const s = getComputedStyle(shown);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
    ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
  const seen = shown.checkVisibility({opacityProperty: true, visibilityProperty: true});
  return {outline, shadow: s.boxShadow, seen};
}"""

ACTIVE = "() => document.activeElement"

CONTROLS = {
    "navigation link": ".md-sidebar--primary a.md-nav__link",
    "search": "input.md-search__input",
    "copy button": ".md-content button.md-code__button[data-md-type='copy']",
    "content tab": ".md-content .tabbed-set > input",
    "collapsible block": ".md-content details > summary",
}
MAX_TABS = 600

WHICH = """wanted => Object.keys(wanted)
  .find(name => document.activeElement.matches(wanted[name])) || null"""


def _shows_focus(focused: dict, unfocused: dict) -> bool:
    """An outline or a box-shadow when focused, and not the same one as unfocused."""
    has_ring = focused["outline"] != "none" or focused["shadow"] != "none"
    changed = (focused["outline"], focused["shadow"]) != (unfocused["outline"],
                                                          unfocused["shadow"])
    return has_ring and changed


def _walk(page, wanted: dict[str, str]) -> dict[str, str]:
    """Tab from the top of the page until each wanted control has had the focus.

    For each one reached the first time: its focus style, compared with the same element
    unfocused (Shift+Tab away, then Tab back). Returns control -> problem ('' when fine).
    """
    found: dict[str, str] = {}
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        if len(found) == len(wanted):
            break
        page.keyboard.press("Tab")
        name = page.evaluate(WHICH, {n: s for n, s in wanted.items() if n not in found})
        if name is None:
            continue
        active = page.evaluate_handle(ACTIVE)
        focused = active.evaluate(FOCUS_STYLE)
        page.keyboard.press("Shift+Tab")
        unfocused = active.evaluate(FOCUS_STYLE)
        page.keyboard.press("Tab")
        if not active.evaluate("el => el === document.activeElement"):
            found[name] = "Shift+Tab then Tab did not come back to it"
        elif not focused["seen"]:
            found[name] = "it has the focus but is hidden (opacity, visibility or display)"
        elif not _shows_focus(focused, unfocused):
            found[name] = f"no visible focus (focused {focused}, unfocused {unfocused})"
        else:
            found[name] = ""
    return found


@pytest.fixture(scope="module")
def keyboard_pages(built_site):
    """The first page with content tabs and the first with a collapsible block."""
    found = {}
    for path in built_site.html_pages():
        html = (built_site.directory / path / "index.html").read_text(encoding="utf-8")
        if "content tab" not in found and 'class="tabbed-set' in html:
            found["content tab"] = path
        if "collapsible block" not in found and "<details" in html:
            found["collapsible block"] = path
    assert "content tab" in found, "no page has content tabs to check the keyboard on"
    assert "collapsible block" in found, "no page has a collapsible block to check on"
    return found


def test_keyboard_reaches_every_kind_of_control_with_a_visible_focus(keyboard_pages, open_page):
    problems = []
    for kind, path in keyboard_pages.items():
        # The page with content tabs is checked for everything but collapsible blocks
        # (a copy button inside a closed one is rightly out of reach).
        wanted = {name: selector for name, selector in CONTROLS.items()
                  if name == kind or (kind == "content tab" and name not in keyboard_pages)}
        for scheme in ("light", "dark"):
            page, _ = open_page(path, color_scheme=scheme)
            found = _walk(page, wanted)
            for name in wanted:
                if name not in found:
                    problems.append(f"/{path} [{scheme}]: Tab never reaches a {name} "
                                    f"({wanted[name]}) in {MAX_TABS} presses")
                elif found[name]:
                    problems.append(f"/{path} [{scheme}]: {name}: {found[name]}")
            page.context.close()
    assert not problems, "\n".join(problems)


def _tab_to(page, selector: str):
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.evaluate_handle(ACTIVE)
    pytest.fail(f"Tab never reaches {selector}", pytrace=False)


def test_keyboard_switches_content_tabs(keyboard_pages, open_page):
    page, _ = open_page(keyboard_pages["content tab"])
    first = _tab_to(page, CONTROLS["content tab"])
    tab_set = first.evaluate_handle("el => el.parentElement")
    shown = """set => [...set.querySelectorAll(':scope > .tabbed-content > .tabbed-block')]
      .findIndex(block => block.offsetParent !== null)"""
    checked = """set => [...set.querySelectorAll(':scope > input')]
      .findIndex(input => input.checked)"""
    assert tab_set.evaluate(shown) == 0
    # Content tabs are a radio group: the arrows move to a tab and show it, as the
    # WAI-ARIA tabs pattern's automatic activation does. The focused tab is always the
    # shown one, so Space and Enter on it keep it shown (and Enter does not navigate).
    page.keyboard.press("ArrowRight")
    assert (tab_set.evaluate(checked), tab_set.evaluate(shown)) == (1, 1)
    assert page.evaluate("() => document.activeElement.matches('.tabbed-set > input')")
    url = page.url
    for key in ("Space", "Enter"):
        page.keyboard.press(key)
        assert (tab_set.evaluate(checked), tab_set.evaluate(shown)) == (1, 1), key
    assert page.url == url
    page.keyboard.press("ArrowLeft")
    assert (tab_set.evaluate(checked), tab_set.evaluate(shown)) == (0, 0)
    page.keyboard.press("ArrowLeft")  # wraps round to the last tab
    last = tab_set.evaluate("set => set.querySelectorAll(':scope > input').length - 1")
    assert (tab_set.evaluate(checked), tab_set.evaluate(shown)) == (last, last)


def test_keyboard_opens_and_closes_a_collapsible_block(keyboard_pages, open_page):
    page, _ = open_page(keyboard_pages["collapsible block"])
    summary = _tab_to(page, CONTROLS["collapsible block"])
    is_open = "el => el.parentElement.open"
    start = summary.evaluate(is_open)
    for key in ("Enter", "Enter", "Space", "Space"):
        before = summary.evaluate(is_open)
        page.keyboard.press(key)
        assert summary.evaluate(is_open) is not before, f"{key} did not toggle the block"
    assert summary.evaluate(is_open) is start


def test_keyboard_copy_button_copies_the_commands(keyboard_pages, open_page):
    page, _ = open_page(keyboard_pages["content tab"])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    for key in ("Enter", "Space"):
        page.evaluate("() => navigator.clipboard.writeText('')")
        button = _tab_to(page, CONTROLS["copy button"])
        page.keyboard.press(key)
        code = button.evaluate("el => el.closest('pre').querySelector('code').innerText")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.strip(), f"{key} on the copy button copied nothing"
        assert copied.strip().splitlines()[0] in code


def test_keyboard_search_finds_and_opens_a_page(built_site, open_page):
    page, _ = open_page("")
    _tab_to(page, CONTROLS["search"])
    page.keyboard.type("debootstrap", delay=30)
    # The results of the whole word, not of a prefix typed before it: the list is drawn
    # again as each letter arrives, and a redraw takes the focus away from a result.
    page.locator(".md-search-result__item mark", has_text="debootstrap").first.wait_for(
        timeout=10_000)
    focused = "() => document.activeElement.closest('.md-search-result a')?.href"
    # Under load, a late redraw (the answer to a prefix typed before) can take the focus
    # from the result, before ArrowDown or between it and Enter: the keys are pressed
    # again, as a reader would, until Enter on a result opens its page (Material moves to
    # the first result from wherever the focus is).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.keyboard.press("ArrowDown")
        try:
            page.wait_for_function(focused, timeout=1_000)
        except PlaywrightTimeout:
            continue
        results = {urlsplit(href).path for href in page.eval_on_selector_all(
            ".md-search-result a", "links => links.map(link => link.href)")}
        start = urlsplit(page.url).path
        page.keyboard.press("Enter")
        try:
            page.wait_for_url(lambda url, start=start: urlsplit(url).path != start,
                              timeout=5_000)
        except PlaywrightTimeout:
            continue
        assert urlsplit(page.url).path in results, "Enter opened a page that is not a result"
        return
    pytest.fail("ArrowDown and Enter in the search did not open a result's page within 30 s")


WIDE_TABLES = """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => ({tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                label: box.getAttribute('aria-label')}))"""


def test_a_wide_table_scrolls_from_the_keyboard(built_site, open_page, visit_each):
    """A table wider than the page is a named tab stop that the arrow keys scroll, on a
    page opened directly and on one reached by Material's instant navigation."""
    with_tables = [path for path in built_site.html_pages()
                   if "<table" in (built_site.directory / path / "index.html").read_text()]
    wide = []
    for path, page in visit_each(with_tables):
        for box in page.evaluate(WIDE_TABLES):
            wide.append(path)
            assert box["tabindex"] == "0" and box["role"] == "region", (path, box)
            assert box["label"] and box["label"].startswith("Table"), (path, box)
    if not wide:
        pytest.skip("no table on the site is wider than the page")
    path = wide[0]
    # Instant navigation: from the landing page through the navigation's link.
    page, _ = open_page("")
    link = page.locator(f".md-sidebar--primary a.md-nav__link[href$='{path}']").first
    if link.count():
        link.click()
        page.wait_for_url(built_site.url(path))
        marked = f"""() => {{ const boxes = ({WIDE_TABLES})();
          return boxes.length > 0 && boxes.every(box => box.tabindex === '0'); }}"""
        try:
            page.wait_for_function(marked, timeout=5_000)
        except PlaywrightTimeout:
            pytest.fail(f"/{path} after instant navigation: {page.evaluate(WIDE_TABLES)}",
                        pytrace=False)
    else:
        page.goto(built_site.url(path), wait_until="load")
    selector = ".md-typeset__scrollwrap[tabindex='0']"
    box = _tab_to(page, selector)
    assert box.evaluate("el => el.scrollLeft") == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=box, timeout=5_000)
    found = _walk(page, {"wide table": selector})
    assert found == {"wide table": ""}, found
