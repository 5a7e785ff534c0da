"""Pages share the Docker engine, except a page that changes it for everyone.

A page whose front matter says `alone: "why"` (a swarm it initialises and leaves: leaving
a swarm breaks name resolution in containers already running on the engine, moby/moby
#45144) runs while no other page of this user's runs does; every other page runs beside
any number of others. One lock file per user beside the runs' folders: each page holds
it shared, an `alone` page exclusively, so with pytest-xdist such a page waits for the
pages running on the other workers to end, and they wait for it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_file(base: Path) -> Path:
    return base / f"execdocs-engine-{os.getuid()}.lock"


@contextmanager
def engine_use(base: Path, alone: bool) -> Iterator[None]:
    """Hold the engine for a page: alone (exclusively) or beside other pages (shared)."""
    # Never through a symlink someone else left in a shared temporary folder.
    descriptor = os.open(lock_file(base), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
