"""`.dockerignore` is read the way Docker reads it."""

from __future__ import annotations

import pytest

from papertrade_docs.measure.dockerignore import DockerignoreError, is_excluded, parse


def excluded(text: str, path: str) -> bool:
    return is_excluded(path, parse(text))


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        ("node_modules", "node_modules/vite/index.js", True),  # a directory takes its contents
        ("node_modules", "src/node_modules/x.js", False),  # patterns are anchored at the root
        ("**/node_modules", "src/node_modules/x.js", True),
        ("**/__pycache__", "__pycache__/a.pyc", True),  # `**/` also matches no directory
        ("*.md", "README.md", True),
        ("*.md", "docs/guide.md", False),  # `*` stays within one segment
        ("docs/*.md", "docs/guide.md", True),
        ("ca?e.py", "case.py", True),
        ("ca?e.py", "ca/e.py", False),
        ("/dist", "dist/app.js", True),  # a leading slash means the same as none
        ("./dist/", "dist/app.js", True),  # patterns are cleaned paths
        ("*.md\n!README.md", "README.md", False),  # the last match wins
        ("*.md\n!README.md", "CHANGES.md", True),
        ("!README.md\n*.md", "README.md", True),
        ("# tests\n\n", "tests/a.py", False),  # comments and blank lines say nothing
        ("tests/**", "tests/unit/a.py", True),
        ("[a-c]*.txt", "b.txt", True),
        ("[a-c]*.txt", "d.txt", False),
        ("[^a-c]*.txt", "d.txt", True),
        ("file\\*", "file*", True),
        ("file\\*", "files", False),
        ("a.b", "axb", False),  # a dot is a dot
    ],
)
def test_patterns_match_as_docker_matches_them(patterns, path, expected):
    assert excluded(patterns, path) is expected


def test_a_lone_exclamation_mark_is_refused_with_its_line():
    with pytest.raises(DockerignoreError, match=r"^ctx/.dockerignore:2: a lone '!'"):
        parse("dist\n!\n", source="ctx/.dockerignore")


def test_an_unclosed_class_is_refused_with_its_line():
    with pytest.raises(DockerignoreError, match=r":1: '\[' without a closing '\]'"):
        parse("[abc")
