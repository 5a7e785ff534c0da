"""Pages share the Docker engine, except a page that changes it for everyone.

A page whose front matter says `alone: "why"` (a swarm it initialises and leaves: leaving
a swarm breaks name resolution in containers already running on the engine, moby/moby
#45144) runs while no other page does (and is skipped while containers the run did not
start are running: see `Runner.run_page`); every other page runs beside any number of
others. The lock is the folder the runs' folders are made in (the temporary folder):
each page holds it shared, an `alone` page exclusively, so with pytest-xdist such a page
waits for the pages running on the other workers to end, and they wait for it. A folder,
not a lock file: nothing is left behind, and nothing there can be swapped for a symlink.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def engine_use(base: Path, alone: bool) -> Iterator[None]:
    """Hold the engine for a page: alone (exclusively) or beside other pages (shared)."""
    descriptor = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
