"""`make bench`, the docs side: what isolating a page costs, and what running the pages
side by side saves. Writes docs/data/bench_docs.json, quoted by the `bench_docs` macro.

    python -m papertrade_docs.measure.bench_docs [--rounds 5] [--skip-suite]

- Isolation: a small page that starts a Compose project with a published port, checks it
  and removes it, run through `python -m execdocs run` with EXECDOCS_ISOLATION on and off
  in alternating rounds; the overhead is the difference of the medians.
- The suite: every page of the site (progress notes aside), `pytest --execdocs` serial,
  then with pytest-xdist on two workers, one run each (each takes minutes).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from execdocs import sandbox, write_atomically

BENCH_DOCS_FILE = Path("docs/data/bench_docs.json")
BASE_IMAGE = "debian:trixie-slim"

_PAGE = """\
```yaml file="compose.yaml"
name: benchpage
services:
  web:
    image: {image}
    command: ["sleep", "infinity"]
    init: true
    ports:
      - "127.0.0.1:8999:8999"
```

```console
$ docker compose up -d --quiet-pull 2>/dev/null
$ docker compose ps --format '{{{{.Name}}}} {{{{.Ports}}}}'
benchpage-web-1 127.0.0.1:8999->8999/tcp
$ docker compose down 2>/dev/null
```
"""


def time_page(directory: Path, isolation: str) -> float:
    env = {**os.environ, sandbox.SWITCH: isolation}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "execdocs", "run", "page.md",
                           "--coverage-json", "coverage.json"], cwd=directory, env=env,
                          capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"bench_docs: the page failed ({isolation}):\n{done.stdout}")
    return seconds


def time_suite(root: Path, workers: int) -> float:
    pages = [str(p) for p in sorted((root / "docs").glob("*.md"))]
    pages += [str(p) for p in sorted((root / "docs" / "docker").glob("*.md"))]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--execdocs",
               "--execdocs-coverage-json", str(Path(tempfile.mkdtemp()) / "coverage.json"),
               *(["-n", str(workers)] if workers > 1 else []), *pages]
    started = time.monotonic()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"bench_docs: the docs suite failed ({workers} workers):\n"
                         f"{done.stdout[-4000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papertrade_docs.measure.bench_docs")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-suite", action="store_true",
                        help="only the isolation overhead (the suite takes minutes)")
    parser.add_argument("--json", type=Path, default=BENCH_DOCS_FILE)
    arguments = parser.parse_args(argv)
    why_not = sandbox.unavailable()
    if why_not:
        raise SystemExit(f"bench_docs: pages cannot be isolated here ({why_not}); "
                         "run `make bench` as root on a machine with `make provision` done")
    figures: dict = json.loads(arguments.json.read_text()) if arguments.json.exists() else {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        (directory / "page.md").write_text(_PAGE.format(image=BASE_IMAGE))
        times: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(arguments.rounds):
            for isolation in ("on", "off"):
                times[isolation].append(time_page(directory, isolation))
    isolated, shared = (statistics.median(times[k]) for k in ("on", "off"))
    figures.update({
        "rounds": arguments.rounds,
        "isolated_page_ms": round(isolated * 1000),
        "shared_page_ms": round(shared * 1000),
        "isolation_overhead_ms": round((isolated - shared) * 1000),
    })
    print(f"bench_docs: a small Compose page, median of {arguments.rounds}: "
          f"{isolated:.2f} s isolated, {shared:.2f} s shared")
    if not arguments.skip_suite:
        root = Path.cwd()
        serial = time_suite(root, 1)
        parallel = time_suite(root, 2)
        figures.update({"suite_serial_s": round(serial), "suite_two_workers_s": round(parallel),
                        "ratio_suite_speedup": round(serial / parallel, 2)})
        print(f"bench_docs: every page, serial {serial:.0f} s, two workers {parallel:.0f} s")
    figures["measured"] = {
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpus": os.cpu_count(), "command": "python -m papertrade_docs.measure.bench_docs",
    }
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(arguments.json, json.dumps(figures, indent=2) + "\n")
    print(f"  written to {arguments.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
