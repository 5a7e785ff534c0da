"""A page outside git is copied with its directory, never with runs' directories."""

from __future__ import annotations

from execdocs.workspace import OWNER_FILE, RUN_PREFIX, copy_for_page


def test_a_parallel_runs_directory_inside_the_page_directory_is_not_copied(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "page.md").write_text("# A page\n")
    (pages / "notes.txt").write_text("kept\n")
    other_run = pages / f"{RUN_PREFIX}1234-abcd"
    (other_run / "pages" / "001").mkdir(parents=True)
    (other_run / OWNER_FILE).write_text("{}")
    look_alike = pages / f"{RUN_PREFIX}notes"  # a folder of the page's own: no owner file
    look_alike.mkdir()
    (look_alike / "x.txt").write_text("kept\n")
    destination = tmp_path / "copies"
    destination.mkdir()

    copy = copy_for_page(pages / "page.md", destination)

    assert sorted(p.name for p in copy.iterdir()) == [f"{RUN_PREFIX}notes", "notes.txt", "page.md"]
