"""Pages spread over N shards (`--execdocs-shard I/N`), one per CI runner, balanced by
how long each page took when it was last recorded.

The split depends only on the pages and their durations, never on the order they were
given or on the machine: every runner of a matrix computes the same split and runs its
own share, every page in exactly one share. A page with no recorded duration counts as a
typical page (the median of the others), so a new page is placed too.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SPEC = re.compile(r"(\d+)/(\d+)")
DEFAULT_SECONDS = 1.0  # a page's weight when no page has a recorded duration


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`I/N` with 1 <= I <= N; raises ValueError with a one-line message."""
        found = _SPEC.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"--execdocs-shard {text!r}: write it I/N, this shard's number"
                             " and the number of shards, e.g. 1/2")
        index, count = int(found[1]), int(found[2])
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"--execdocs-shard {text!r}: the shard's number must be from 1 to"
                             f" the number of shards ({max(count, 1)}), e.g. 1/{max(count, 1)}")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def split(pages: Iterable[str], seconds: Mapping[str, float], count: int) -> list[list[str]]:
    """The pages in `count` shares of about equal recorded time: the longest page first,
    each onto the share with the least time so far (the first such share on a tie).
    Each share lists its pages in name order."""
    names = sorted(set(pages))
    known = [seconds[name] for name in names if name in seconds]
    typical = statistics.median(known) if known else DEFAULT_SECONDS
    weight = {name: seconds.get(name, typical) for name in names}
    shares: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for name in sorted(names, key=lambda name: (-weight[name], name)):
        lightest = min(range(count), key=lambda k: (loads[k], k))
        shares[lightest].append(name)
        loads[lightest] += weight[name]
    return [sorted(share) for share in shares]
