"""The command line: `check [NOTE...]` and `new --title TITLE [--author A] [--category C]`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from papertrade_docs.notes.checks import PLACEHOLDER
from papertrade_docs.notes.naming import BadName, note_name
from papertrade_docs.notes.settings import SettingsError, load_settings
from papertrade_docs.notes.template import render
from papertrade_docs.notes.validate import note_paths, validate


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _current_branch(root: Path) -> str:
    result = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=root,
                            capture_output=True, text=True, check=False)
    branch = result.stdout.strip()
    return branch if result.returncode == 0 and branch and branch != "HEAD" else PLACEHOLDER


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def command_check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    paths = [Path(p) for p in args.notes] or note_paths(settings)
    problems = validate(settings, paths)
    for problem in problems:
        print(f"{_shown(problem.path)}:{problem.line}: {problem.message}")
    if problems:
        print(f"notes: {len(problems)} problem(s) in {len({p.path for p in problems})} "
              f"of {len(paths)} note(s)", file=sys.stderr)
        return 1
    print(f"notes: {len(paths)} note(s) checked, no problems")
    return 0


def command_new(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    authors, categories = _split(args.author), _split(args.category)
    if not authors and len(settings.authors) == 1:
        authors = list(settings.authors)
    for name in authors:
        if name not in settings.authors:
            raise SettingsError(f"unknown author {name!r}: use one of {', '.join(settings.authors)}"
                                f", or add yourself to {_shown(settings.authors_file)}")
    for name in categories:
        if name not in settings.categories:
            raise SettingsError(f"unknown category {name!r}: use one of "
                                f"{', '.join(settings.categories)}")
    started = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    path = settings.posts_dir / note_name(started, args.title)
    text = render(args.title.strip(), started, authors, categories, _current_branch(settings.root))
    settings.posts_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # never overwrite a note
            handle.write(text)
    except FileExistsError:
        raise SettingsError(f"{_shown(path)} already exists: wait a second and run again") from None
    print(_shown(path), flush=True)  # before the hint on stderr, also into a pipe
    print("notes: fill it in, then 'make lint' says what is still missing", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papertrade_docs.notes",
                                     description="Create and check the progress notes.")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="the mkdocs.yml whose blog plugin places the notes")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check the notes (all of them by default)")
    check.add_argument("notes", nargs="*", help="note files to check")
    check.set_defaults(run=command_check)
    new = commands.add_parser("new", help="create a note from the template, print its path")
    new.add_argument("--title", required=True)
    new.add_argument("--author", help="author key(s) from the authors file, comma-separated")
    new.add_argument("--category", help="categories from mkdocs.yml, comma-separated")
    new.set_defaults(run=command_new)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (SettingsError, BadName) as error:
        print(f"notes: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
