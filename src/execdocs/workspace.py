"""Where pages run: a run directory per runner process, a fresh copy of the repository
per page.

A run lives in `<tmp>/execdocs-<run id>/`, whose `owner` file names the runner's pid and
start time, so a later run can tell a killed run's leftovers from a live run's. Each page
gets `pages/NNN/<repository name>/`: the files a fresh clone would have (tracked files,
plus untracked files git does not ignore), copied, never linked, so nothing a page does
reaches the real checkout.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from execdocs import processes

RUN_PREFIX = "execdocs-"
OWNER_FILE = "owner"
SESSION_FILE = "session"  # in a page directory: the page's shell, for a later run to stop


def runs_base() -> Path:
    return Path(tempfile.gettempdir())


@dataclass
class Run:
    """This runner process's directory, and its id (used to label what it creates)."""

    id: str
    root: Path
    pages: int = 0

    @classmethod
    def start(cls, base: Path | None = None) -> Run:
        run_id = f"{os.getpid()}-{secrets.token_hex(4)}"
        root = Path(base or runs_base()) / f"{RUN_PREFIX}{run_id}"
        root.mkdir(mode=0o700)
        root.chmod(0o700)  # whatever the umask: the sweep of killed runs trusts only 0700
        owner = {"pid": os.getpid(), "start": processes.start_time(os.getpid()),
                 "host": socket.gethostname()}
        (root / OWNER_FILE).write_text(json.dumps(owner))
        return cls(run_id, root)

    def page_directory(self) -> Path:
        """A new, empty directory for the next page's copy and scratch files."""
        self.pages += 1
        directory = self.root / "pages" / f"{self.pages:03d}"
        directory.mkdir(parents=True)
        return directory

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def record_session(page_directory: Path, pid: int) -> None:
    (page_directory / SESSION_FILE).write_text(
        json.dumps({"pid": pid, "start": processes.start_time(pid)}))


def recorded_sessions(root: Path) -> list[int]:
    """The shells of run `root`'s pages that are still running (checked against pid reuse)."""
    alive = []
    for record in root.glob(f"pages/*/{SESSION_FILE}"):
        try:
            session = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        if processes.start_time(session["pid"]) == session["start"]:
            alive.append(session["pid"])
    return alive


def run_is_alive(root: Path) -> bool:
    """Whether the runner that made run directory `root` still runs (on this host). A
    directory that is not this user's own run directory counts as alive: not ours to judge."""
    if not is_own_run_directory(root):
        return True
    try:
        owner = json.loads(_read_regular_file(root / OWNER_FILE))
    except (OSError, ValueError):
        # Being created right now, or not a run directory at all: leave it alone.
        return True
    if owner.get("host") != socket.gethostname():
        return True  # another machine's run sharing this directory: not ours to judge
    return processes.start_time(owner["pid"]) == owner.get("start")


def run_directories(base: Path | None = None) -> list[Path]:
    """The run directories this user made under `base`. Anything else carrying the prefix
    (another user's, a symlink, a folder others could write to) is never looked into: a
    planted folder must not be able to steer what the sweep of killed runs removes."""
    return sorted(path for path in Path(base or runs_base()).glob(f"{RUN_PREFIX}*")
                  if is_own_run_directory(path))


def is_own_run_directory(path: Path) -> bool:
    """A real directory (not a symlink) owned by this user, readable by nobody else."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid()
            and stat.S_IMODE(status.st_mode) == 0o700)


def _read_regular_file(path: Path) -> str:
    """The text of `path`, refusing a symlink or anything but a regular file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor) as opened:
        if not stat.S_ISREG(os.fstat(opened.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return opened.read()


@functools.lru_cache(maxsize=64)
def repository_root(directory: Path) -> Path | None:
    """The top of the git work tree holding `directory`, if it is in one (asked once per
    directory and run)."""
    found = subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
        capture_output=True, text=True,
    )
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def copy_for_page(page: Path, destination_parent: Path) -> Path:
    """A fresh copy of the repository holding `page` (or of the page's directory when it
    is not in a git repository); returns the copy's root."""
    source = repository_root(page.resolve().parent)
    if source is None:
        source = page.resolve().parent
        destination = destination_parent / source.name

        def runs_inside(directory: str, names: list[str]) -> list[str]:
            # Runs' directories may lie inside the page's (this run's, or a parallel
            # run's that changes while it is copied): they are never part of the page.
            return [name for name in names
                    if destination.resolve().is_relative_to(Path(directory, name).resolve())
                    or (name.startswith(RUN_PREFIX) and Path(directory, name, OWNER_FILE).exists())]

        shutil.copytree(source, destination, symlinks=True, ignore=runs_inside)
        return destination
    destination = destination_parent / source.name
    destination.mkdir()
    for relative in _clone_files(source):
        _copy_entry(source / relative, destination / relative)
    return destination


def _clone_files(repository: Path) -> list[str]:
    """The files a fresh clone would have, plus untracked ones git does not ignore."""
    listed = subprocess.run(
        ["git", "-C", str(repository), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout
    return sorted({name for name in listed.decode().split("\0") if name})


def _copy_entry(source: Path, destination: Path) -> None:
    if not os.path.lexists(source):
        return  # tracked but deleted: the work tree, as it is, is what is tested
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
    elif source.is_dir():  # a submodule
        shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
    else:
        shutil.copy2(source, destination)
