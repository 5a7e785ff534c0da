"""The benchmarks' figures as page macros, from docs/data/bench.json (the runner's speed)
and docs/data/bench_docs.json (isolation and the docs suite), both written by `make
bench`, so a page quotes them instead of copying them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

BENCH_FILE = Path("docs/data/bench.json")
BENCH_DOCS_FILE = Path("docs/data/bench_docs.json")
REMEDY = "run `make bench`"


class BenchError(Exception):
    pass


def load_bench(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise BenchError(f"{path} is missing: {REMEDY}") from None
    except ValueError as error:
        raise BenchError(f"{path} is not valid JSON ({error}): {REMEDY}") from None


def bench_figure(data: dict, key: str, source: Path = BENCH_FILE) -> str:
    """A ratio as `1.08`, milliseconds as `311 ms`, seconds as `95 s`, counts as they are."""
    if key not in data or key == "measured":
        known = ", ".join(k for k in data if k != "measured")
        raise BenchError(f"{source}: no figure {key!r} (known: {known}); {REMEDY}")
    value = data[key]
    if key.startswith("ratio_"):
        return f"{value:.2f}"
    if key.endswith("_ms"):
        return f"{value:.0f} ms"
    if key.endswith("_s"):
        return f"{value:.0f} s"
    return str(value)


def _measured(data: dict, source: Path) -> dict:
    measured = data.get("measured") or {}
    if "when" not in measured:
        raise BenchError(f"{source}: no 'measured.when'; {REMEDY}")
    return measured


def bench_measured_on(data: dict) -> str:
    measured = _measured(data, BENCH_FILE)
    return (f"Measured by `make bench` on {measured['when'][:10]} at "
            f"{measured['when'][11:16]} UTC, {data.get('commands')} console commands, "
            f"{data.get('rounds')} alternating rounds, {measured.get('cpus')} CPUs")


def register_bench(env) -> None:
    # Each file read once per build, when a page first asks, so an error lands on it.
    data = cache(lambda: load_bench(Path(env.project_dir) / BENCH_FILE))
    docs_data = cache(lambda: load_bench(Path(env.project_dir) / BENCH_DOCS_FILE))

    @env.macro
    def bench(key: str) -> str:
        return bench_figure(data(), key)

    @env.macro
    def bench_measured() -> str:
        return bench_measured_on(data())

    @env.macro
    def bench_docs(key: str) -> str:
        return bench_figure(docs_data(), key, BENCH_DOCS_FILE)

    @env.macro
    def bench_docs_measured() -> str:
        measured = _measured(docs_data(), BENCH_DOCS_FILE)
        return (f"Measured by `make bench` on {measured['when'][:10]}, "
                f"{measured.get('cpus')} CPUs")
