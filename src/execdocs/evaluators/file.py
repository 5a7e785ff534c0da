"""Blocks with `file="path"`: written relative to the session's current directory, inside
the page's copy only; a Compose file is then checked with `docker compose config`."""

from __future__ import annotations

import shlex

from execdocs.compose_files import base_compose_file, is_compose_file
from execdocs.evaluators.base import Limits, PageState
from execdocs.model import Block
from execdocs.results import Failure


def evaluate(block: Block, page: PageState, limits: Limits) -> Failure | None:
    path = page.session.cwd() / block.options["file"]
    # Resolved through symlinks and `..`, before any folder is made: a page writes
    # inside its own copy only.
    if not path.resolve().is_relative_to(page.copy.resolve()):
        return Failure(block.origin, f'file="{block.options["file"]}" is outside the '
                       "page's copy of the repository; write it to a path inside it",
                       kind="file", block_origin=block.origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.body + "\n")
    if not is_compose_file(path, block.body):
        return None
    command = f"docker compose -f {shlex.quote(str(path))} config -q"
    outcome = page.session.run(command, limits.next().seconds)
    if outcome.status == 0:
        return None
    base = base_compose_file(path)
    if base is not None:
        # An override (compose.override.yaml, a second -f file) is only complete on
        # top of the file beside it; Compose merges them the same way at `up`.
        merged = (f"docker compose -f {shlex.quote(str(base))}"
                  f" -f {shlex.quote(str(path))} config -q")
        outcome = page.session.run(merged, limits.next().seconds)
        if outcome.status == 0:
            return None
        command = merged
    rejected = f"docker compose rejects the Compose file {block.options['file']}"
    return Failure(block.origin, rejected, command=command, kind="console",
                   block_origin=block.origin, status=outcome.status, output=outcome.output)
