"""Benchmark: a page of quick console commands through the runner, against the same
commands in one plain bash process; the runner's own start-up time; and what one page's
cleanup costs (its queries to the engine, and removing what the page made).

    python -m execdocs.bench [--commands 200] [--rounds 15]

Both sides run the same commands in the same directory, reading nothing (stdin is
/dev/null), their stdout and stderr together in an in-memory file that the parent reads
afterwards: where the runner's commands write theirs. Rounds alternate between the two,
so a busy machine slows both alike; the median and best wall times are compared, and the
CPU time (the work done, which waiting for a busy CPU does not inflate). The runner's
time is the whole page: copy, session start, every command with its exit status and
output checked, cleanup.

The page's console blocks follow each other with nothing between them, so the runner
sends them to its shell together; a page whose console blocks alternate with shell or
file blocks pays one round trip to the shell per run of console blocks.

The cleanup's cost is one page's `cleanup.clean_page` on the Docker engine, the median of
5: for a page that ran `docker` and made nothing (the queries every such page pays) and
for one that made a network and a volume (the queries and their removal).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from execdocs import cleanup, workspace
from execdocs.atomic import write_atomically
from execdocs.collect import load_page
from execdocs.docker_engine import RUN_LABEL, Engine
from execdocs.runner import Runner

# Quick commands as docs pages show them: small programs (the kind a reader types) and
# a builtin, each with its output, which the runner checks.
_COMMANDS = [
    ("cat notes.txt", "first line"),
    ("ls notes.txt", "notes.txt"),
    ("wc -l < notes.txt", "1"),
    ("grep -c line notes.txt", "1"),
    ("basename /srv/app/{i}.conf", "{i}.conf"),
    ("date -u -d @0 +%Y", "1970"),
    ("sed -n 1p notes.txt", "first line"),
    ("printf '%s\\n' alpha beta | sort -r", "beta\nalpha"),
    ("tr a-z A-Z <<< word{i}", "WORD{i}"),
    ("echo step {i}", "step {i}"),
]


def bench_page(count: int) -> tuple[str, list[str]]:
    """A Markdown page of `count` commands in blocks of ten, and the bare commands."""
    blocks, commands = [], ["echo 'first line' > notes.txt"]
    blocks.append("```console\n$ echo 'first line' > notes.txt\n```\n")
    for start in range(0, count - 1, 10):
        lines = ["```console"]
        for i in range(start, min(start + 10, count - 1)):
            command, output = _COMMANDS[i % len(_COMMANDS)]
            command, output = command.format(i=i), output.format(i=i)
            lines += [f"$ {command}", output]
            commands.append(command)
        blocks.append("\n".join(lines) + "\n```\n")
    return "# Benchmark\n\n" + "\n".join(blocks), commands


def time_plain_bash(script: Path, directory: Path) -> tuple[float, float]:
    with _timed() as took:
        output = os.memfd_create("plain-bash-output")
        try:
            subprocess.run(["bash", "--noprofile", "--norc", str(script)], cwd=directory,
                           stdin=subprocess.DEVNULL, stdout=output, stderr=output, check=True)
            os.pread(output, os.fstat(output).st_size, 0)
        finally:
            os.close(output)
    return took


def time_runner(runner: Runner, page: Path) -> tuple[float, float]:
    loaded = load_page(page, None)
    with _timed() as took:
        result = runner.run_page(loaded)
    if not result.passed:
        raise SystemExit(f"the benchmark page failed: {result.failure}")
    return took


class _timed:
    """Wall time and CPU time (this process and its children) of a `with` block: the CPU
    time shows the work done, which a busy machine does not inflate as it does waits."""

    def __enter__(self) -> list[float]:
        self.took: list[float] = []
        self.wall, self.cpu = time.perf_counter(), _cpu_seconds()
        return self.took

    def __exit__(self, *exc_info: object) -> None:
        self.took += [time.perf_counter() - self.wall, _cpu_seconds() - self.cpu]


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def admonitions_page(count: int) -> str:
    """A page of `count` admonitions, each holding a console block (issue 13's case)."""
    blocks = [
        f'!!! note "Step {k}"\n    Run step {k}:\n\n    ```console\n    $ echo step {k}\n'
        f"    step {k}\n    ```"
        for k in range(count)
    ]
    return "# Admonitions\n\n" + "\n\n".join(blocks) + "\n"


def time_listing(directory: Path, admonitions: int = 800) -> float:
    """Seconds to load a page of `admonitions` admonitions with a console block each, as
    `python -m execdocs list` does (find the blocks, parse and check them; run nothing)."""
    page = directory / f"admonitions-{admonitions}.md"
    page.write_text(admonitions_page(admonitions))
    load_page(page, None)  # the site's Markdown is loaded once per process
    started = time.perf_counter()
    loaded = load_page(page, None)
    took = time.perf_counter() - started
    if len(loaded.blocks) != admonitions:
        raise SystemExit(f"the listing found {len(loaded.blocks)} of {admonitions} blocks")
    return took


def time_startup(directory: Path) -> float:
    """Wall time of `python -m execdocs run` on a one-command page: interpreter, imports,
    the sweep for killed runs, the run directory, one page, the summary."""
    page = directory / "one.md"
    page.write_text("```console\n$ true\n```\n")
    # This execdocs, not whichever an editable install points at (another work tree).
    here = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [here, *filter(None, [os.environ.get("PYTHONPATH")])])}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "execdocs", "run", str(page), "--coverage-json",
                    str(directory / "coverage.json")], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def time_cleanup(directory: Path, engine: Engine, creates: bool) -> float:
    """Wall time of one page's cleanup (`cleanup.clean_page`) after the page ran `docker`:
    with `creates`, the page made a network and a volume (labelled as the shim labels
    them) that the cleanup finds and removes; without, the queries alone, which every
    page that ran `docker` pays. `engine` is the run's, already connected, as a runner's
    is by its start."""
    run = workspace.Run.start(directory)
    name = f"execdocs-bench-{run.id}"
    try:
        page = run.page_directory()
        copy = page / "copy"
        copy.mkdir()
        (page / cleanup.DOCKER_USED).touch()
        if creates:
            for kind in ("network", "volume"):
                subprocess.run(["docker", kind, "create", "--label", f"{RUN_LABEL}={run.id}",
                                name], check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        removed = cleanup.clean_page(engine, run.id, copy, page, time.time() - 60)
        took = time.perf_counter() - started
    finally:
        for kind in ("network", "volume") if creates else ():  # left by a failed cleanup
            subprocess.run(["docker", kind, "rm", name], capture_output=True, check=False)
        run.remove()
    if len(removed) != (2 if creates else 0):
        raise SystemExit(f"the cleanup removed {len(removed)} resources, not "
                         f"{2 if creates else 0}: {removed}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m execdocs.bench")
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="execdocs-bench-") as temporary:
        directory = Path(temporary)
        pages = directory / "pages"
        pages.mkdir()
        text, commands = bench_page(arguments.commands)
        page = pages / "bench.md"
        page.write_text(text)
        script = directory / "plain.sh"
        script.write_text("\n".join(commands) + "\n")
        plain, ran = [], []
        with Runner() as runner:
            time_runner(runner, page)  # warm-up: caches, imports of the first page
            for _ in range(arguments.rounds):
                plain.append(time_plain_bash(script, pages))
                ran.append(time_runner(runner, page))
        startup = statistics.median(time_startup(directory) for _ in range(3))
        cleanups = {}
        if shutil.which("docker"):
            engine = Engine()
            time_cleanup(directory, engine, False)  # warm-up: the run's first query connects
            cleanups = {creates: statistics.median(time_cleanup(directory, engine, creates)
                                                   for _ in range(5))
                        for creates in (False, True)}
        listing = statistics.median(time_listing(directory) for _ in range(3))
    print(f"{arguments.commands} console commands, {arguments.rounds} alternating rounds")
    print("                            median wall   best wall    median CPU")
    rows = (("plain bash (one process):", plain), ("execdocs runner (page):  ", ran))
    for title, runs in rows:
        walls, cpus = [run[0] for run in runs], [run[1] for run in runs]
        print(f"  {title} {_ms(statistics.median(walls))}  {_ms(min(walls))}"
              f"  {_ms(statistics.median(cpus))}")
    ratios = [statistics.median(r[0] for r in ran) / statistics.median(r[0] for r in plain),
              min(r[0] for r in ran) / min(r[0] for r in plain),
              statistics.median(r[1] for r in ran) / statistics.median(r[1] for r in plain)]
    print(f"  ratio runner / bash:      {ratios[0]:9.3f}  {ratios[1]:9.3f}  {ratios[2]:9.3f}"
          "   (goal: under 1.1)")
    print(f"  runner start-up (python -m execdocs run, one-command page): "
          f"{startup * 1000:.0f} ms")
    if cleanups:
        print(f"  one page's cleanup (it ran docker, made nothing): {cleanups[False] * 1000:.0f}"
              f" ms; (it made a network and a volume): {cleanups[True] * 1000:.0f} ms")
    else:
        print("  no docker CLI here: the cleanup's cost is not measured")
    print(f"  listing a page of 800 admonitions, each with a console block: "
          f"{listing * 1000:.0f} ms   (goal: under 1 s)")
    if arguments.json:
        figures = {
            "commands": arguments.commands, "rounds": arguments.rounds,
            "plain_median_wall_ms": round(statistics.median(r[0] for r in plain) * 1000, 1),
            "runner_median_wall_ms": round(statistics.median(r[0] for r in ran) * 1000, 1),
            "ratio_median_wall": round(ratios[0], 3), "ratio_best_wall": round(ratios[1], 3),
            "ratio_median_cpu": round(ratios[2], 3), "startup_ms": round(startup * 1000),
            "list_800_admonitions_ms": round(listing * 1000),
            **({"cleanup_ms": round(cleanups[False] * 1000),
                "cleanup_removing_ms": round(cleanups[True] * 1000)} if cleanups else {}),
            "measured": {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                         "cpus": os.cpu_count(), "python": sys.version.split()[0],
                         "command": "python -m execdocs.bench"},
        }
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(arguments.json, json.dumps(figures, indent=2) + "\n")
        print(f"  written to {arguments.json}")
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
