"""What `make measure` tells the terminal: which image, which step, how long so far."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO = sys.stderr, heartbeat_seconds: float = 15.0):
        self.stream = stream
        self.heartbeat_seconds = heartbeat_seconds
        self.started = time.monotonic()

    def say(self, subject: str, text: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"measure [{_clock(elapsed)}] {subject}: {text}", file=self.stream, flush=True)

    @contextmanager
    def step(self, subject: str, text: str) -> Iterator[None]:
        """Announce a step, say every so often that it is still running, then its time."""
        self.say(subject, text)
        began = time.monotonic()
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(self.heartbeat_seconds):
                self.say(subject, f"still {text} ({time.monotonic() - began:.0f} s)")

        thread = threading.Thread(target=heartbeat, daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            done.set()
            self.say(subject, f"FAILED {text} after {time.monotonic() - began:.1f} s")
            raise
        finally:
            done.set()
            thread.join()
        took = time.monotonic() - began
        self.say(
            subject, f"done {text} in {took:.2f} s" if took < 1 else f"done {text} in {took:.1f} s"
        )


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"
