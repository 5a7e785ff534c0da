"""`python -m execdocs run PAGE...`: run Markdown pages, anywhere, as the tests do.
`python -m execdocs list [--json] PAGE...`: what they would run, running nothing.
`python -m execdocs coverage merge SHARD.json... -o PATH [--record]`: shards' coverage
summaries merged into one (and, with --record, their recordings into the recordings file).

Exit status of `run`: 0 when every page passed (or was skipped), 1 when any failed (or
the Docker engine did not answer: one line on stderr), 2 when any page is invalid (then
nothing runs), 130 when interrupted (after cleanup). Of
`list`: 0 when every page is valid, 2 otherwise. Every problem of every invalid page is
printed on stderr, one per line, as `file:line: what is wrong; what to do`. Of `coverage
merge`: 0 when merged, 2 when refused (one line on stderr saying why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from execdocs import coverage, recordings, report
from execdocs.coverage_merge import merge
from execdocs.docker_engine import EngineError
from execdocs.invocation import (
    load_project,
    load_runnable_page,
    make_runner,
    markdown_files,
    recordings_path,
)
from execdocs.listing import entry_text, page_entries
from execdocs.model import InvalidPage, Page
from execdocs.results import PageResult
from execdocs.signals import sigterm_interrupts

PASSED, FAILED, INVALID, INTERRUPTED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "list":
        return list_pages(arguments.pages, arguments.json, arguments.config)
    if arguments.command == "coverage":
        return merge_coverage(arguments.summaries, arguments.output, arguments.record,
                              arguments.config)
    return run(arguments.pages, arguments.update, arguments.config, arguments.coverage_json,
               arguments.record, arguments.durations)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m execdocs", description="Run the blocks of Markdown pages.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser("run", help="run pages (files, or directories of *.md)")
    run_command.add_argument("pages", nargs="+", type=Path, metavar="PAGE")
    run_command.add_argument("--update", action="store_true",
                             help="rewrite the expected output of commands that did not match")
    run_command.add_argument("--config", type=Path, metavar="MKDOCS_YML",
                             help="the project's mkdocs.yml (default: ./mkdocs.yml if present)")
    run_command.add_argument("--record", action="store_true",
                             help="write what each console command printed, and how each page"
                                  " ran, to the recordings file of mkdocs.yml")
    run_command.add_argument("--coverage-json", type=Path, default=coverage.DEFAULT_JSON,
                             metavar="PATH", help=f"default: {coverage.DEFAULT_JSON}")
    run_command.add_argument("--durations", type=int, default=0, metavar="N",
                             help="after the run, list the N slowest blocks (0: none)")
    list_command = commands.add_parser(
        "list", help="show what pages would run, without running anything")
    list_command.add_argument("pages", nargs="+", type=Path, metavar="PAGE")
    list_command.add_argument("--json", action="store_true",
                              help="print one JSON array of every block of every page")
    list_command.add_argument("--config", type=Path, metavar="MKDOCS_YML",
                              help="the project's mkdocs.yml (default: ./mkdocs.yml if present)")
    coverage_command = commands.add_parser("coverage", help="coverage summaries")
    coverage_commands = coverage_command.add_subparsers(dest="action", required=True)
    merge_command = coverage_commands.add_parser(
        "merge", help="merge the summaries of every shard of one run (--execdocs-shard I/N)")
    merge_command.add_argument("summaries", nargs="+", type=Path, metavar="SHARD.json")
    merge_command.add_argument("-o", "--output", type=Path, default=coverage.DEFAULT_JSON,
                               metavar="PATH", help=f"default: {coverage.DEFAULT_JSON}")
    merge_command.add_argument("--record", action="store_true",
                               help="write the shards' recordings (each shard ran with"
                                    " --execdocs-record) into the recordings file of mkdocs.yml")
    merge_command.add_argument("--config", type=Path, metavar="MKDOCS_YML",
                               help="the project's mkdocs.yml (default: ./mkdocs.yml if present)")
    return parser


def merge_coverage(paths: list[Path], output: Path, record: bool, config: Path | None) -> int:
    try:
        project = load_project(config) if record else None
        record_to = recordings_path(project) if record else None
        summary = merge(paths, record)
    except (coverage.CoverageError, InvalidPage) as error:
        print(f"coverage merge: {error}", file=sys.stderr)
        return INVALID
    print(summary.table())
    summary.write_json(output)
    print(f"{len(paths)} shard(s) merged into {output}")
    if record_to is not None:
        recordings.write(record_to, summary.recordings, project.root)
        print(f"{len(summary.recordings)} page(s) recorded in {record_to}")
    return PASSED


def _load(paths: list[Path], config: Path | None):
    """The project and its pages, valid and invalid; None when the project itself is
    invalid (said on stderr)."""
    try:
        project = load_project(config)
        return project, *_load_all(markdown_files(paths), project)
    except InvalidPage as error:
        _print_invalid([error])
        return None


def list_pages(paths: list[Path], as_json: bool, config: Path | None) -> int:
    loaded = _load(paths, config)
    if loaded is None:
        return INVALID
    _project, pages, invalid = loaded
    entries = [entry for page in pages for entry in page_entries(page)]
    if as_json:
        print(json.dumps(entries, indent=2))
    else:
        for entry in entries:
            print(entry_text(entry))
    _print_invalid(invalid)
    return INVALID if invalid else PASSED


def run(paths: list[Path], update: bool, config: Path | None, coverage_json: Path,
        record: bool = False, durations: int = 0) -> int:
    loaded = _load(paths, config)
    if loaded is None:
        return INVALID
    project, pages, invalid = loaded
    try:
        record_to = recordings_path(project) if record else None
    except InvalidPage as error:
        _print_invalid([error])
        return INVALID
    if invalid:
        _print_invalid(invalid)
        print(f"{len(invalid)} invalid page(s): nothing was run", file=sys.stderr)
        return INVALID
    results: list[PageResult] = []
    recorded: dict[str, dict] = {}
    runner = make_runner(project, update)
    machine = recordings.Machine.of(runner.engine) if record_to else None
    try:
        with sigterm_interrupts(), runner:
            for page in pages:
                result = runner.run_page(page)
                results.append(result)
                _print_result(result)
                if machine is not None and not result.skipped_for_now:
                    key = recordings.page_key(page.path, project.root)
                    recorded[key] = recordings.page_record(page, result, machine,
                                                             root=project.root)
    except KeyboardInterrupt:
        print("interrupted: what the pages started has been stopped and removed",
              file=sys.stderr)
        return INTERRUPTED
    except EngineError as error:
        print(f"execdocs: {error}", file=sys.stderr)
        return FAILED
    finally:
        summary = coverage.summarize(results)
        summary.run = coverage.this_run(project.root if project else None)
        if results:
            if durations:
                print("\n" + report.slowest_blocks(results, durations))
            print("\n" + summary.table())
            summary.write_json(coverage_json)
        if recorded:
            recordings.write(record_to, recorded, project.root)
            print(f"{len(recorded)} page(s) recorded in {record_to}")
    return PASSED if all(result.passed for result in results) else FAILED


def _load_all(paths: list[Path], project) -> tuple[list[Page], list[InvalidPage]]:
    pages, invalid = [], []
    for path in paths:
        try:
            pages.append(load_runnable_page(path, project))
        except InvalidPage as error:
            invalid.append(error)
    return pages, invalid


def _print_invalid(errors: list[InvalidPage]) -> None:
    """Every problem of every invalid page, one per line."""
    for error in errors:
        for problem in error.problems:
            print(report.invalid_page_report(problem), file=sys.stderr)
    sys.stderr.flush()


def _print_result(result: PageResult) -> None:
    if result.skipped:
        print(f"SKIPPED {result.path}: {result.skipped}")
    elif result.passed:
        updated = f", {len(result.updated)} output(s) updated" if result.updated else ""
        print(f"PASSED  {result.path} ({result.seconds:.1f} s{updated})")
    else:
        print(f"FAILED  {result.path} ({result.seconds:.1f} s)")
        print(report.failure_report(result) + "\n")
    sys.stdout.flush()
