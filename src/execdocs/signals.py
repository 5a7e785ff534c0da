"""Signals during a run: SIGTERM interrupts like Ctrl-C, and cleanup is not interrupted.

`cli` and `pytest_plugin` run pages inside `sigterm_interrupts()`; the runner wraps its
cleanup in `uninterrupted()`, which holds a second Ctrl-C or SIGTERM until it is done.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Interrupted(KeyboardInterrupt):
    """The runner was asked to stop (SIGTERM); cleanup runs as for Ctrl-C."""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM interrupts the run like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: object) -> None:
        raise Interrupted(f"signal {number}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Let cleanup finish even if Ctrl-C or SIGTERM comes again; deliver it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda n, _f: received.append(n))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            raise KeyboardInterrupt if received[0] == signal.SIGINT else Interrupted("again")
