"""What the contributor's page lists through macros: the allowed categories and authors,
read from the configuration, and the macros that quote a measured figure."""

from __future__ import annotations

from pathlib import Path

from papertrade_docs.notes.reference import authors_table, categories_list, quoting_table
from papertrade_docs.notes.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "progress" / "writing-a-note.md"
MKDOCS_YML = "plugins:\n  - blog:\n      blog_dir: progress\n      categories_allowed: [Site, CI]\n"
AUTHORS = (
    "authors:\n"
    "  ada:\n    name: Ada\n    description: Backend\n    avatar: progress/avatars/ada.svg\n"
    "  bo:\n    name: Bo\n    description: Site and CI\n    avatar: progress/avatars/bo.svg\n"
)


def settings(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs" / "progress").mkdir(parents=True)
    (tmp_path / "docs" / "progress" / ".authors.yml").write_text(AUTHORS)
    return load_settings(tmp_path / "mkdocs.yml")


def test_categories_come_from_mkdocs_yml_in_its_order(tmp_path):
    assert categories_list(settings(tmp_path)) == "`Site`, `CI`"


def test_authors_come_from_the_authors_file_one_row_each(tmp_path):
    rows = authors_table(settings(tmp_path)).splitlines()
    assert rows[2:] == ["| `ada` | Ada | Backend |", "| `bo` | Bo | Site and CI |"]


def test_the_quoting_table_shows_the_call_its_arguments_and_what_it_gives():
    def image_size(name):
        return f"size of {name}"

    table = quoting_table([
        ("image_size", ["backend-prod", "db"], image_size),
        ("measured_on", [], lambda: "Measured today"),
    ])
    rows = table.splitlines()
    assert rows[2] == ("| `image_size(name)` | `backend-prod`, `db` | size of backend-prod "
                       "(`backend-prod`) |")
    assert rows[3] == "| `measured_on()` | none | Measured today |"


def test_the_contributors_page_lists_categories_and_authors_through_the_macros():
    text = PAGE.read_text(encoding="utf-8")
    for macro in ("note_categories()", "note_authors()", "figure_macros_table()"):
        assert "{{ " + macro + " }}" in text, f"{PAGE.name} no longer calls {macro}"
