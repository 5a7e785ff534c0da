"""Mutated real pages never crash the parsers: the page loader and the MkDocs plugin's
page transform raise nothing but the runner's own `InvalidPage`.

A seeded, derandomized Hypothesis property: the project's pages, cut, repeated, indented,
and sprinkled with the very tokens the parsers look for.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execdocs.collect import load_page
from execdocs.mkdocs_plugin import reader_lines
from execdocs.model import InvalidPage, Origin

ROOT = Path(__file__).resolve().parents[3]
PAGES = [
    path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "docs").rglob("*.md"))
    if "progress" not in path.parts or path.name == "index.md"
]
TOKENS = [
    "```", "````", "~~~", "```console", '```console test="skip"', '```yaml file="x.yaml"',
    ' wait="5"', " wait=5", ' title="a b"', "{title='x'}", "!!! note", "!!!note", "??? tip",
    '=== "Tab"', "> ", ">", "$ ", "$", "> EOF", "<<'EOF'", "EOF", "'", '"', "\\", " |", " &&",
    "if true; then", "<!-- execdocs", "<!--", "-->", "<details>", "</details>",
    "<div markdown>", "</div>", ":   ", "- ", "1. ", "\t", "    ", "\ufeff", "---",
    "execdocs:", "  skip: x", "{{", "}}", "--8<-- 'x'", "...", " (re)", "\x00", "\r", "\u2028",
]

line_index = st.integers(min_value=0, max_value=10_000)
mutation = st.one_of(
    st.tuples(st.just("delete"), line_index),
    st.tuples(st.just("repeat"), line_index),
    st.tuples(st.just("indent"), line_index, st.sampled_from([1, 2, 4, 8])),
    st.tuples(st.just("dedent"), line_index),
    st.tuples(st.just("insert"), line_index, st.sampled_from(TOKENS)),
    st.tuples(st.just("splice"), line_index, st.integers(0, 80), st.sampled_from(TOKENS)),
    st.tuples(st.just("cut"), line_index),
)


def mutate(text: str, mutations: list[tuple]) -> str:
    lines = text.split("\n")
    for kind, at, *rest in mutations:
        k = at % max(len(lines), 1)
        if kind == "delete" and lines:
            del lines[k]
        elif kind == "repeat" and lines:
            lines.insert(k, lines[k])
        elif kind == "indent" and lines:
            lines[k] = " " * rest[0] + lines[k]
        elif kind == "dedent" and lines:
            lines[k] = lines[k][4:] if lines[k].startswith("    ") else lines[k].lstrip()
        elif kind == "insert":
            lines.insert(k, rest[0])
        elif kind == "splice" and lines:
            column = min(rest[0], len(lines[k]))
            lines[k] = lines[k][:column] + rest[1] + lines[k][column:]
        elif kind == "cut":
            lines = lines[:k]
    return "\n".join(lines)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(page=st.sampled_from(range(len(PAGES))), mutations=st.lists(mutation, max_size=8))
def test_mutated_pages_are_loaded_or_refused_never_crash(page, mutations):
    text = mutate(PAGES[page], mutations)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "page.md"
        path.write_text(text, encoding="utf-8", newline="")
        try:
            load_page(path, None)
        except InvalidPage as error:
            assert all(str(problem.origin).startswith(str(path)) for problem in error.problems)
    lines = text.split("\n")
    try:
        reader_lines(lines, [Origin(Path("page.md"), k + 1) for k in range(len(lines))])
    except InvalidPage:
        pass
