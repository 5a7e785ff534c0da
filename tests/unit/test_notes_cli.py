"""`python -m papertrade_docs.notes new|check`: a new note is named right, holds the
template, fails the check until it is filled in, and passes once it is."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from papertrade_docs.notes.naming import BadName, note_name, parse_name, slugify
from papertrade_docs.notes.template import GUIDANCE, comment

ROOT = Path(__file__).resolve().parents[2]
MKDOCS_YML = "plugins:\n  - blog:\n      blog_dir: progress\n      categories_allowed: [Site, CI]\n"
AUTHORS = "authors:\n  ada:\n    name: Ada\n    description: x\n    avatar: a.svg\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs" / "progress").mkdir(parents=True)
    (tmp_path / "docs" / "progress" / ".authors.yml").write_text(AUTHORS)
    return tmp_path


def progress(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papertrade_docs.notes", *args],
                          cwd=project, capture_output=True, text=True, check=False)


def test_slugs_are_lower_case_words_cut_at_a_word():
    assert slugify("Hot reload: Vite & uvicorn!") == "hot-reload-vite-uvicorn"
    assert slugify("Crème brûlée") == "creme-brulee"
    long = slugify("word " * 30)
    assert len(long) <= 60 and long.endswith("word") and "--" not in long


def test_a_name_round_trips_to_its_date():
    started = datetime(2026, 11, 27, 9, 14, 5)
    name = note_name(started, "Progress notes")
    assert name == "2026-11-27_09-14-05_progress-notes.md"
    assert parse_name(name) == started


def test_a_title_without_letters_makes_no_name():
    with pytest.raises(BadName, match="no letters or digits"):
        note_name(datetime(2026, 1, 1), "!!!")


def test_new_creates_a_note_that_fails_until_filled_in(project):
    created = progress(project, "new", "--title", "Hot reload", "--author", "ada",
                       "--category", "Site")
    assert created.returncode == 0, created.stderr
    path = project / created.stdout.strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_hot-reload\.md", path.name)
    text = path.read_text()
    assert "authors:\n  - ada" in text and "categories:\n  - Site" in text
    for section in GUIDANCE:
        assert f"\n## {section}\n" in text

    check = progress(project, "check")
    assert check.returncode == 1
    problems = check.stdout.splitlines()
    assert all(line.startswith(f"{created.stdout.strip()}:") for line in problems)
    assert any("'task' is still the placeholder" in line for line in problems)
    assert sum("is empty" in line for line in problems) == len(GUIDANCE)

    filled = text.replace('"TODO: the task or issue this note records, e.g. issue 7"',
                          "issue 7").replace("branch: TODO", "branch: hot-reload")
    for section in GUIDANCE:
        assert comment(section) in filled
        filled = filled.replace(comment(section), f"What the {section.lower()} are.")
    path.write_text(filled)
    check = progress(project, "check")
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip() == "notes: 1 note(s) checked, no problems"


def test_new_with_an_unknown_author_or_category_writes_nothing(project):
    for args, message in ((["--author", "bob"], "unknown author 'bob': use one of ada"),
                          (["--category", "Food"], "unknown category 'Food'")):
        result = progress(project, "new", "--title", "x", *args)
        assert result.returncode == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / "docs" / "progress" / "posts").exists()


def test_new_without_author_leaves_a_placeholder_the_check_names(project):
    (project / "docs" / "progress" / ".authors.yml").write_text(
        AUTHORS + "  bob:\n    name: Bob\n    description: y\n    avatar: b.svg\n")
    created = progress(project, "new", "--title", "Two authors", "--category", "CI")
    check = progress(project, "check", created.stdout.strip())
    assert "unknown author 'TODO': use one of ada, bob" in check.stdout


def test_the_projects_own_notes_pass():
    result = subprocess.run([sys.executable, "-m", "papertrade_docs.notes", "check"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout
