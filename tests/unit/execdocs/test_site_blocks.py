"""The runner finds exactly the blocks the built site shows.

A differential test: each page is rendered by Python-Markdown with the site's own
extensions (`mkdocs.yml`), after the execdocs plugin's cleaning, as `mkdocs build` does;
the code blocks of the HTML (outside comments) are compared with the blocks execdocs
collects (hidden ones aside): the same blocks, in the same order, with the same
language and text. Pages: the project's own, and generated ones that put blocks in every
construct that can hold one (lists, admonitions, content tabs, definition lists, HTML
blocks, quotes, comments, indented code), nested in one another.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import markdown
import pytest

from execdocs.collect import load_page
from execdocs.config import Project
from execdocs.mkdocs_plugin import reader_lines
from execdocs.render import render_page
from execdocs.site_markdown import SiteMarkdown

ROOT = Path(__file__).resolve().parents[3]
SITE_PAGES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "docs").rglob("*.md")
    if "progress" not in path.parts
)


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(ROOT / "mkdocs.yml")


_markdown_of: dict[Path, markdown.Markdown] = {}


def _site_markdown(project: Project) -> markdown.Markdown:
    """The site's Markdown (snippets are expanded before), each block tagged with its
    source."""
    if project.config_file in _markdown_of:
        return _markdown_of[project.config_file]
    config = project.mkdocs_config
    names = [e for e in config.markdown_extensions if e != "pymdownx.snippets"]
    md = markdown.Markdown(
        extensions=names,
        extension_configs={k: v for k, v in config.mdx_configs.items() if k in names},
    )
    for fence in md.preprocessors["fenced_code_block"].extension.superfences:
        fence["formatter"] = _tagged(fence["formatter"])
    _markdown_of[project.config_file] = md
    return md


def site_blocks(text: str, project: Project) -> list[tuple[str, str]]:
    """(language, text) of each code block the site's Markdown shows for `text`."""
    md = _site_markdown(project)
    md.reset()
    shown = re.sub(r"<!--.*?-->", "", md.convert(text), flags=re.S)
    return [
        (html.unescape(lang), html.unescape(source))
        for lang, source in re.findall(r'<xd-block lang="([^"]*)">(.*?)</xd-block>', shown, re.S)
    ]


def _tagged(formatter):
    """The site's own formatter, its block preceded by the source it was given."""

    def tagged(src="", language="", **options):
        shown = formatter(src=src, language=language, **options) or ""
        lang = html.escape(language or "")
        return f'<xd-block lang="{lang}">{html.escape(src)}</xd-block>{shown}'

    return tagged


def both_views(path: Path, project: Project):
    markdown_ = SiteMarkdown.of_project(project)
    rendered = render_page(path, project, markdown_)
    shown = site_blocks("\n".join(reader_lines(rendered.lines, rendered.origins, markdown_)),
                        project)
    page = load_page(path, project)
    ours = [(block.lang, block.body.expandtabs(4)) for block in page.blocks if not block.hidden]
    return shown, ours, page


@pytest.mark.parametrize("page", SITE_PAGES)
def test_the_projects_pages(project, page):
    shown, ours, _ = both_views(ROOT / page, project)
    assert ours == shown


# --- generated pages ----------------------------------------------------------------------

BLOCKS = [
    ["```console", "$ echo {n}", "{n}", "```"],
    ["~~~sh", "echo {n}", "~~~"],
    ['```yaml file="f{n}.yaml"', "key: {n}", "```"],
    ['```console test="skip" reason="r{n}"', "$ echo {n}", "```"],
    ["````markdown", "```console", "$ echo {n}", "```", "````"],
    ["```", "plain {n}", "```"],
    ['``` title="t{n}"', "plain {n}", "```"],
    ['```console\ttitle="tab {n}"', "$ echo {n}", "```"],
]


def _indent(lines: list[str], width: int) -> list[str]:
    return [" " * width + line if line else "" for line in lines]


# Constructs that hold blocks, as they are written; each wraps the lines it is given.
WRAPPERS = {
    "bullet": lambda b: ["- item", "", *_indent(b, 4)],
    "bullet, text after column 4": lambda b: ["-    item", "", *_indent(b, 5)],
    "bullet, 2 spaces": lambda b: ["- item", "", *_indent(b, 2)],
    "ordered": lambda b: ["1. step", "", *_indent(b, 4)],
    "admonition": lambda b: ['!!! note "Note"', *_indent(b, 4)],
    "admonition, no space": lambda b: ["!!!warning", *_indent(b, 4)],
    "admonition, blank first": lambda b: ["!!! tip", "", *_indent(b, 4)],
    "collapsible": lambda b: ["??? info", *_indent(b, 4)],
    "collapsible, open": lambda b: ["???+ info", *_indent(b, 4)],
    "content tab": lambda b: ['=== "Linux"', "", *_indent(b, 4)],
    "content tab, 8 spaces": lambda b: ['=== "macOS"', "", *_indent(b, 8)],
    "definition": lambda b: ["Term", ":   Definition", "", *_indent(b, 4)],
    "quote": lambda b: ["> " + line if line else ">" for line in b],
    "details": lambda b: ["<details>", "<summary>More</summary>", *b, "</details>"],
    "div markdown": lambda b: ["<div markdown>", *b, "</div>"],
    "div markdown, blank lines": lambda b: ['<div markdown="1">', "", *b, "", "</div>"],
    "paragraph above": lambda b: ["Some text right above:", *b],
}
OUTERMOST = {
    "indented code": lambda b: ["Para", "", *_indent(b, 4)],
    "comment": lambda b: ["<!-- a note", *b, "-->"],
    "hidden": lambda b: ["<!-- execdocs", *b, "-->"],
}


def generated_page(seed: int) -> tuple[str, int]:
    """A page of a few blocks, each in up to three nested constructs; and the number of
    hidden blocks in it."""
    rng = random.Random(seed)
    parts, hidden = ["# Generated", ""], 0
    for n in range(rng.randint(2, 5)):
        lines = [line.format(n=f"{seed}-{n}") for line in rng.choice(BLOCKS)]
        outermost = rng.choice(sorted(OUTERMOST)) if rng.random() < 0.25 else None
        if outermost == "hidden":  # a hidden comment holds blocks as written, to run
            hidden += 1
        else:
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                lines = rng.choice(list(WRAPPERS.values()))(lines)
        if outermost:
            lines = OUTERMOST[outermost](lines)
        parts += [*lines, "", rng.choice(["Text.", "Another paragraph.", "## Heading"]), ""]
    return "\n".join(parts), hidden


@pytest.mark.parametrize("name", sorted(WRAPPERS) + sorted(OUTERMOST))
def test_each_construct(tmp_path, project, name):
    wrap = WRAPPERS.get(name) or OUTERMOST[name]
    parts = ["# Page", ""]
    for n, block in enumerate(BLOCKS):
        parts += [*wrap([line.format(n=n) for line in block]), "", f"After {n}.", ""]
    path = tmp_path / "page.md"
    path.write_text("\n".join(parts))
    shown, ours, page = both_views(path, project)
    assert ours == shown
    assert sum(b.hidden for b in page.blocks) == (len(BLOCKS) if name == "hidden" else 0)


def test_the_constructs_of_issue_13_are_found(tmp_path, project):
    # As the site shows them: found, except where its Markdown shows the fence as text.
    found = {}
    for name in WRAPPERS:
        path = tmp_path / "page.md"
        path.write_text("\n".join(WRAPPERS[name](["```sh", "echo x", "```"])) + "\n")
        found[name] = [b.body for b in load_page(path, project).blocks] == ["echo x"]
    assert {name for name, ok in found.items() if not ok} == {
        "content tab, 8 spaces",  # an indented code block inside the tab
        "definition",  # the site does not enable def_list: an indented code block
    }


@pytest.mark.parametrize("seeds", [range(k, k + 15) for k in range(0, 60, 15)])
def test_generated_pages(tmp_path, project, seeds):
    for seed in seeds:
        text, hidden = generated_page(seed)
        path = tmp_path / f"page-{seed}.md"
        path.write_text(text)
        shown, ours, page = both_views(path, project)
        assert ours == shown, f"seed {seed}:\n{text}"
        assert sum(b.hidden for b in page.blocks) == hidden, f"seed {seed}:\n{text}"
