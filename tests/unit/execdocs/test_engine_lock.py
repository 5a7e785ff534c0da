"""Pages share the engine; a page marked `alone` holds it by itself (execdocs.engine_lock):
while it runs no other page may start, and it waits for the pages running to end."""

from __future__ import annotations

import fcntl
import os

import pytest
from page_runs import write_page

from execdocs.collect import load_page
from execdocs.engine_lock import engine_use
from execdocs.model import InvalidPage


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
