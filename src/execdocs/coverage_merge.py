"""Shards' coverage summaries merged into the one summary of the whole run
(`python -m execdocs coverage merge SHARD.json... -o coverage.json [--record]`).

A merge is refused, with one line naming the files, unless the summaries are every
shard of one split (shard 1 to N, each once, all of the same pages), of one commit and
one run, and together hold each page of the split exactly once, each in the shard the
split gave it to.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from execdocs.coverage import CoverageError, PageCoverage, Summary


def merge(paths: Sequence[Path], record: bool = False) -> Summary:
    """The summary of the whole run from its shards' summaries at `paths`; with `record`,
    carrying every page's recording (each shard must have recorded). Raises
    `CoverageError`."""
    if not paths:
        raise CoverageError("give the summary of every shard")
    shards = [(path, Summary.load(path)) for path in paths]
    for path, summary in shards:
        if not summary.shard:
            raise CoverageError(f"{path}: not a shard's summary (it has no `shard`); run each"
                                " shard with --execdocs-shard I/N and merge what they write")
    _same_split(shards)
    _same_run(shards)
    by_index = _every_shard_once(shards)
    pages = _every_page_once(by_index)
    first = shards[0][1]
    merged = Summary(pages, run=first.run, shards=first.shard["count"])
    if record:
        merged.recordings = _recordings(by_index)
    return merged


def _same_split(shards: list[tuple[Path, Summary]]) -> None:
    (first_path, first), *others = shards
    for path, summary in others:
        if summary.shard["count"] != first.shard["count"]:
            raise CoverageError(
                f"{first_path} is shard {_of(first)} but {path} is shard {_of(summary)}: merge"
                " the shards of one split")
        if summary.shard["all_pages"] != first.shard["all_pages"]:
            only = sorted(set(summary.shard["all_pages"]) ^ set(first.shard["all_pages"]))
            raise CoverageError(
                f"{first_path} and {path} split different pages"
                f" ({', '.join(only) or 'in another order'}): merge the shards of one run")


def _same_run(shards: list[tuple[Path, Summary]]) -> None:
    (first_path, first), *others = shards
    for label, key in (("commit", "commit"), ("run", "id")):
        for path, summary in others:
            mine, theirs = (first.run or {}).get(key), (summary.run or {}).get(key)
            if mine != theirs:
                raise CoverageError(
                    f"mixed {label}s: {first_path} is from {label} {mine or 'unknown'}, {path}"
                    f" from {label} {theirs or 'unknown'}: merge the shards of one run")


def _every_shard_once(shards: list[tuple[Path, Summary]]) -> dict[int, tuple[Path, Summary]]:
    by_index: dict[int, tuple[Path, Summary]] = {}
    for path, summary in shards:
        index = summary.shard["index"]
        if index in by_index:
            raise CoverageError(f"{by_index[index][0]} and {path} are both shard {_of(summary)}:"
                                " give each shard's summary once")
        by_index[index] = (path, summary)
    count = shards[0][1].shard["count"]
    missing = [f"{index}/{count}" for index in range(1, count + 1) if index not in by_index]
    if missing:
        raise CoverageError(f"shard {', '.join(missing)} is missing: give the summary of every"
                            f" one of the {count} shards")
    return dict(sorted(by_index.items()))


def _every_page_once(by_index: dict[int, tuple[Path, Summary]]) -> list[PageCoverage]:
    seen: dict[str, Path] = {}
    found: dict[str, PageCoverage] = {}
    for path, summary in by_index.values():
        for page in summary.pages:
            if page.page in seen:
                raise CoverageError(f"{page.page} is in both {seen[page.page]} and {path}:"
                                    " each page belongs to one shard; merge one run's shards")
            if page.page not in summary.shard["pages"]:
                raise CoverageError(f"{path} holds {page.page}, which the split gave to another"
                                    " shard: merge the shards of one run")
            seen[page.page] = path
            found[page.page] = page
    for path, summary in by_index.values():
        missing = [name for name in summary.shard["pages"] if name not in found]
        if missing:
            raise CoverageError(f"{path}: no result for {', '.join(missing)} (shard"
                                f" {_of(summary)} stopped early, or -k deselected them): run"
                                " the shard again, whole")
    order = next(iter(by_index.values()))[1].shard["all_pages"]
    return [found[name] for name in order]


def _recordings(by_index: dict[int, tuple[Path, Summary]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path, summary in by_index.values():
        if summary.recordings is None:
            raise CoverageError(f"{path}: shard {_of(summary)} did not record: run every shard"
                                " with --execdocs-record, or merge without --record")
        merged.update(summary.recordings)
    return merged


def _of(summary: Summary) -> str:
    return f"{summary.shard['index']}/{summary.shard['count']}"
