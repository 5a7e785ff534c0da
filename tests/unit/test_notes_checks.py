"""The progress-note validator: a good note passes, and each way of breaking one is
reported once, at the right line, saying what to fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from papertrade_docs.notes.settings import SettingsError, load_settings
from papertrade_docs.notes.validate import validate

MKDOCS_YML = """\
site_name: test
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
plugins:
  - search
  - blog:
      blog_dir: progress
      categories_allowed: [Foundation, Site]
"""
AUTHORS = "authors:\n  ada:\n    name: Ada\n    description: x\n    avatar: a.svg\n"
NAME = "2026-11-27_09-14-05_progress-notes.md"

GOOD = """\
---
date: 2026-11-27 09:14:05
authors: [ada]
categories: [Site]
task: issue 7, progress notes
branch: main
pull_request: 12
status: done
---

# Progress notes

## Summary

Notes are validated.

<!-- more -->

## Decisions

The blog plugin shows them; see the [home page](../../index.md#top).

## Changes

A validator.

## Testing

Unit tests.

## Measurements

!!! note "At the time of writing"

    The check ran in 0.2 s.

A size through a macro: {{ image_size("backend-prod") }}.

```text
$ du -sh site
3.1 MB measured at the time of writing
```

## Known issues

None.

## Next steps

More notes.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs" / "progress" / "posts").mkdir(parents=True)
    (tmp_path / "docs" / "progress" / ".authors.yml").write_text(AUTHORS)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    return tmp_path


def problems_of(project: Path, text: str, name: str = NAME) -> list[str]:
    note = project / "docs" / "progress" / "posts" / name
    note.write_text(textwrap.dedent(text))
    settings = load_settings(project / "mkdocs.yml")
    return [f"{p.path.name}:{p.line}: {p.message}" for p in validate(settings, [note])]


def test_a_complete_note_passes(project):
    assert problems_of(project, GOOD) == []


def test_settings_come_from_mkdocs_yml_and_the_authors_file(project):
    settings = load_settings(project / "mkdocs.yml")
    assert settings.categories == ("Foundation", "Site")
    assert settings.authors == ("ada",)
    assert settings.posts_dir == project / "docs" / "progress" / "posts"


def test_mkdocs_yml_without_the_blog_plugin_is_refused(project):
    (project / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n")
    with pytest.raises(SettingsError, match="no 'blog' plugin"):
        load_settings(project / "mkdocs.yml")


# (what is broken, the note's text or a replacement (old, new) in GOOD, the file name,
#  the expected problem: line and a fragment of the message)
BROKEN = [
    ("name without time", GOOD, "2026-11-27_progress-notes.md",
     (1, "is not YYYY-MM-DD_HH-MM-SS_slug.md")),
    ("upper-case slug", GOOD, "2026-11-27_09-14-05_Progress.md",
     (1, "is not YYYY-MM-DD_HH-MM-SS_slug.md")),
    ("impossible date in the name", ("date: 2026-11-27 09:14:05", "date: 2026-02-30 09:14:05"),
     "2026-02-30_09-14-05_progress-notes.md", (1, "holds no real date")),
    ("date differs from the name", ("date: 2026-11-27 09:14:05", "date: 2026-11-27 09:14:06"),
     NAME, (2, "but the file name says 2026-11-27 09:14:05")),
    ("date without time", ("date: 2026-11-27 09:14:05", "date: 2026-11-27"),
     NAME, (2, "a date without a time")),
    ("date as text", ("date: 2026-11-27 09:14:05", "date: yesterday"),
     NAME, (2, "'date' is 'yesterday'")),
    ("unknown category", ("categories: [Site]", "categories: [Sight]"),
     NAME, (4, "unknown category 'Sight': use one of Foundation, Site")),
    ("categories not a list", ("categories: [Site]", "categories: Site"),
     NAME, (4, "'categories' must be a list")),
    ("unknown author", ("authors: [ada]", "authors: [bob]"),
     NAME, (3, "unknown author 'bob': use one of ada, add the author to .authors.yml")),
    ("no authors", ("authors: [ada]\n", ""), NAME, (1, "front matter lacks 'authors'")),
    ("placeholder task", ("task: issue 7, progress notes", 'task: "TODO: the task"'),
     NAME, (5, "'task' is still the placeholder")),
    ("empty branch", ("branch: main", "branch: ''"), NAME, (6, "'branch' must be a non-empty")),
    ("pull request as text", ("pull_request: 12", "pull_request: soon"),
     NAME, (7, "'pull_request' is 'soon'")),
    ("pull request zero", ("pull_request: 12", "pull_request: 0"),
     NAME, (7, "'pull_request' is 0")),
    ("unknown status", ("status: done", "status: finished"),
     NAME, (8, "'status' is 'finished': use one of in-progress, done")),
    ("misspelt key", ("status: done", "status: done\ncategorie: [Site]"),
     NAME, (9, "unknown front matter key 'categorie'")),
    ("no front matter", "# Just a title\n", NAME, (1, "does not start with '---'")),
    ("unclosed front matter", "---\ndate: 2026-11-27 09:14:05\n# Title\n",
     NAME, (1, "no closing '---'")),
    ("broken YAML", ("categories: [Site]", "categories: [Site"),
     NAME, (None, "not valid YAML")),
    ("no title", ("# Progress notes\n", ""), NAME, (None, "has no title")),
    ("two titles", ("## Changes\n", "# Changes\n"), NAME, (None, "a second '# ' title")),
    ("missing section", ("## Testing\n\nUnit tests.\n", ""),
     NAME, (None, "section '## Testing' is missing")),
    ("empty section", ("Unit tests.", ""), NAME, (27, "section '## Testing' is empty")),
    ("section with only the template's comment",
     ("Unit tests.", "<!-- How it was verified. -->"), NAME, (27, "'## Testing' is empty")),
    ("section twice", ("## Next steps", "## Testing\n\nAgain.\n\n## Next steps"),
     NAME, (None, "section '## Testing' appears twice (first at line 27)")),
    ("no excerpt separator", ("<!-- more -->\n", ""), NAME, (None, "no '<!-- more -->' line")),
    ("link to a missing page", ("../../index.md#top", "../../missing.md"),
     NAME, (21, "link to '../../missing.md' leads nowhere")),
    ("link out of the docs", ("../../index.md#top", "../../../mkdocs.yml"),
     NAME, (21, "leaves docs/")),
    ("unclosed fence", ("```text\n$ du", "````text\n$ du"),
     NAME, (39, "fence is never closed")),
    ("bare size", ("A validator.", "The image is 74 MB now."),
     NAME, (25, "the figure '74 MB' is not marked")),
    ("bare duration", ("Unit tests.", "Unit tests, in 3.5 s."),
     NAME, (29, "the figure '3.5 s' is not marked")),
    ("size in an unmarked admonition", ('!!! note "At the time of writing"', "!!! note"),
     NAME, (35, "the figure '0.2 s' is not marked")),
    ("size in an unmarked output block", ("3.1 MB measured at the time of writing", "3.1 MB"),
     NAME, (41, "the figure '3.1 MB' is not marked")),
]


@pytest.mark.parametrize(("broken", "name", "expected"),
                         [(b[1], b[2], b[3]) for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_note_is_reported_once_at_its_line(project, broken, name, expected):
    text = GOOD.replace(*broken) if isinstance(broken, tuple) else broken
    if isinstance(broken, tuple):
        assert text != GOOD, "the test's replacement did not apply"
    problems = problems_of(project, text, name)
    line, fragment = expected
    matching = [p for p in problems if fragment in p]
    assert len(matching) == 1, f"expected one problem with {fragment!r}, got {problems}"
    assert matching[0].startswith(f"{name}:")
    if line is not None:
        assert matching[0].startswith(f"{name}:{line}: "), matching[0]


def test_figures_marked_in_the_same_paragraph_or_by_a_macro_pass(project):
    text = GOOD.replace("A validator.", "At the time of writing the image was\n74 MB and "
                        "built in 2 minutes.\n\nNow it is {{ image_size('backend-prod') }}.")
    assert problems_of(project, text) == []


def test_numbers_that_are_not_figures_pass(project):
    text = GOOD.replace("A validator.", "Python 3.13, PostgreSQL 17, port 8080, UID 1000, "
                        "2 CPUs, issue 7 and 12 tests.")
    assert problems_of(project, text) == []


def test_several_problems_are_all_reported(project):
    text = (GOOD.replace("categories: [Site]", "categories: [Nope]")
            .replace("status: done", "status: ok").replace("## Summary", "## Overview"))
    problems = problems_of(project, text)
    assert len(problems) == 3, problems
