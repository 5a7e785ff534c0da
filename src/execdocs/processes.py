"""Stop processes the way a careful reader would: SIGTERM, a grace period, then SIGKILL.

Processes are found in /proc by process group, session or parentage. Zombies count as
gone: they have stopped, and only their parent can reap them.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_CHECK_INTERVAL = 0.02  # while a stopping process finishes its own cleanup


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    group: int
    session: int
    state: str


def running() -> list[Process]:
    """Every live (non-zombie) process visible in /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdecimal() and (process := read_process(int(entry))) and process.state != "Z":
            found.append(process)
    return found


def read_process(pid: int) -> Process | None:
    text = _stat(pid)
    if text is None:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its end.
    fields = text[text.rindex(")") + 2 :].split()
    return Process(pid, int(fields[1]), int(fields[2]), int(fields[3]), fields[0])


def start_time(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot): tells a process from a reused pid."""
    text = _stat(pid)
    return None if text is None else int(text[text.rindex(")") + 2 :].split()[19])


def _stat(pid: int) -> str | None:
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 4096).decode(errors="replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def descendants(pid: int, keep_groups: Iterable[int] = ()) -> list[Process]:
    """The processes below `pid`, except subtrees in the process groups `keep_groups`."""
    keep = set(keep_groups)
    children: dict[int, list[Process]] = {}
    for process in running():
        children.setdefault(process.parent, []).append(process)
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            if child.group not in keep:
                found.append(child)
                queue.append(child.pid)
    return found


def stop_group(group: int, grace: float) -> None:
    """Stop every process of process group `group`."""
    _signal_group(group, signal.SIGTERM)
    if not _wait_until(lambda: not _members(lambda p: p.group == group), grace):
        _signal_group(group, signal.SIGKILL)
        _wait_until(lambda: not _members(lambda p: p.group == group), grace)


def stop_session(session: int, grace: float) -> None:
    """Stop every process of session `session` (all that a shell started and left)."""
    stop_processes(_members(lambda p: p.session == session), grace)


def stop_descendants(pid: int, grace: float, keep_groups: Iterable[int] = ()) -> None:
    """Stop what `pid` runs (not `pid` itself), sparing the process groups `keep_groups`."""
    stop_processes(descendants(pid, keep_groups), grace)


def stop_processes(targets: list[Process], grace: float) -> None:
    pids = {process.pid for process in targets}
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    if not _wait_until(lambda: not _alive(pids), grace):
        for pid in _alive(pids):
            _signal(pid, signal.SIGKILL)
        _wait_until(lambda: not _alive(pids), grace)


def _members(belongs: Callable[[Process], bool]) -> list[Process]:
    return [process for process in running() if belongs(process)]


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (p := read_process(pid)) is not None and p.state != "Z"}


def _wait_until(done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_CHECK_INTERVAL)
    return True


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(group: int, number: int) -> None:
    try:
        os.killpg(group, number)
    except (ProcessLookupError, PermissionError):
        pass
