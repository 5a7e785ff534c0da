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


def test_the_sweep_looks_only_at_this_users_private_real_run_directories(tmp_path):
    from execdocs.workspace import Run, run_directories, run_is_alive

    own = Run.start(tmp_path).root
    assert oct(own.stat().st_mode & 0o777) == "0o700"
    open_to_others = tmp_path / f"{RUN_PREFIX}1-open"
    open_to_others.mkdir()
    open_to_others.chmod(0o755)
    (open_to_others / OWNER_FILE).write_text('{"pid": 1, "start": 0, "host": "x"}')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    elsewhere.chmod(0o700)
    (elsewhere / OWNER_FILE).write_text('{"pid": 1, "start": 0, "host": "x"}')
    linked = tmp_path / f"{RUN_PREFIX}2-link"
    linked.symlink_to(elsewhere)
    planted_file = tmp_path / f"{RUN_PREFIX}3-file"
    planted_file.write_text("")

    assert run_directories(tmp_path) == [own]
    # Whatever is not ours counts as alive: the sweep never acts on it.
    for planted in (open_to_others, linked, planted_file):
        assert run_is_alive(planted)


def test_an_owner_file_that_is_a_symlink_is_not_read(tmp_path):
    from execdocs.workspace import Run, run_is_alive

    root = Run.start(tmp_path).root
    target = tmp_path / "someone-elses-owner.json"
    target.write_text('{"pid": 999999999, "start": 0, "host": "nowhere"}')
    (root / OWNER_FILE).unlink()
    (root / OWNER_FILE).symlink_to(target)

    assert run_is_alive(root)  # unreadable owner: left alone, never judged dead
