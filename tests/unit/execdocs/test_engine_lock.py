"""Pages share the engine; a page marked `alone` holds it by itself (execdocs.engine_lock):
while it runs no other page may start, and it waits for the pages running to end; and it
is skipped, saying why, while containers the run did not start are running."""

from __future__ import annotations

import fcntl
import os

import pytest
from engine_fakes import engine_running
from page_runs import write_page

from execdocs.collect import load_page
from execdocs.engine_lock import engine_use
from execdocs.model import InvalidPage
from execdocs.runner import Runner, engine_not_free


def try_lock(path, kind) -> bool:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, kind | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


def test_pages_share_the_engine(tmp_path):
    with engine_use(tmp_path, alone=False):
        assert try_lock(tmp_path, fcntl.LOCK_SH)  # another page may run
        assert not try_lock(tmp_path, fcntl.LOCK_EX)  # an alone page waits


def test_a_page_alone_keeps_every_other_page_waiting(tmp_path):
    with engine_use(tmp_path, alone=True):
        assert not try_lock(tmp_path, fcntl.LOCK_SH)
    assert try_lock(tmp_path, fcntl.LOCK_EX)  # released at the end


def test_nothing_is_left_behind(tmp_path):
    with engine_use(tmp_path, alone=True):
        pass
    assert list(tmp_path.iterdir()) == []


def test_alone_needs_its_reason(tmp_path):
    text = "---\nexecdocs:\n  alone: true\n---\n# P\n"
    with pytest.raises(InvalidPage, match=r'execdocs.alone says why.*write alone: "why"'):
        load_page(write_page(tmp_path, text), None)
    page = load_page(write_page(tmp_path, "---\nexecdocs:\n  alone: it makes a swarm\n---\n# P\n"),
                     None)
    assert page.options["alone"] == "it makes a swarm"


ALONE_PAGE = "---\nexecdocs:\n  alone: it makes a swarm\n---\n```console\n$ echo ran\nran\n```\n"


def test_a_page_alone_is_skipped_while_containers_the_run_did_not_start_run(tmp_path):
    page = load_page(write_page(tmp_path / "docs", ALONE_PAGE), None)
    (tmp_path / "runs").mkdir()
    engine = engine_running(["their-db", "their-backend"])
    with Runner(engine=engine, runs_base=tmp_path / "runs", project_root=tmp_path) as runner:
        result = runner.run_page(page)
    assert result.skipped == (
        "it needs the engine to itself: it makes a swarm; containers this run did not start "
        "are running (their-backend, their-db): stop them, or run it where nothing else runs")
    assert result.skipped_for_now and [b.status for b in result.blocks] == ["skipped"]


def test_a_page_alone_runs_on_an_engine_where_nothing_else_runs(tmp_path):
    page = load_page(write_page(tmp_path / "docs", ALONE_PAGE), None)
    (tmp_path / "runs").mkdir()
    engine = engine_running([])
    with Runner(engine=engine, runs_base=tmp_path / "runs", project_root=tmp_path) as runner:
        result = runner.run_page(page)
    assert not result.skipped and result.passed, result.failure


def test_the_skip_names_five_containers_at_most():
    said = engine_not_free("why", [f"c{i}" for i in range(7)])
    assert "running (c0, c1, c2, c3, c4 and 2 more):" in said
