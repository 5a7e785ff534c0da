"""A hash of what an image is built from: its Dockerfile and its build context.

The same on every machine: it covers relative paths, contents and the executable bit
of every file the build would see (what `.dockerignore` keeps), sorted. Files git
ignores (`node_modules`, `__pycache__`, `.env`) exist on one machine only, so they are
left out where the context lies inside a git work tree.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from papertrade_docs.measure import dockerignore


def context_files(context: Path) -> list[str]:
    """Relative posix paths of the files a build of `context` sees, sorted."""
    patterns = dockerignore.read(context)
    candidates = git_visible_files(context)
    if candidates is None:
        candidates = walk(context, patterns)
    return sorted(path for path in candidates if not dockerignore.is_excluded(path, patterns))


def context_hash(context: Path, dockerfile: Path) -> str:
    """`sha256:<hex>` over the Dockerfile and the files of the context."""
    digest = hashlib.sha256()
    _add_file(digest, "Dockerfile", dockerfile)
    for relative in context_files(context):
        _add_file(digest, "context/" + relative, context / relative)
    return "sha256:" + digest.hexdigest()


def file_hash(path: Path) -> str:
    """`sha256:<hex>` of one file's contents (a Compose file the stack timings ran)."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _add_file(digest: Any, name: str, path: Path) -> None:
    if path.is_symlink():
        kind, content = b"l", os.readlink(path).encode()
    else:
        kind = b"x" if os.access(path, os.X_OK) else b"f"
        content = path.read_bytes()
    # Length-prefixed, so no two different file sets can produce the same stream.
    for part in (name.encode(), kind, content):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


def git_visible_files(context: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, or None outside a git work tree."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=context,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    files = listing.decode().split("\0")
    # A tracked file deleted in the work tree is not in the build.
    return [f for f in files if f and ((context / f).is_file() or (context / f).is_symlink())]


def walk(context: Path, patterns: Sequence[dockerignore.Pattern] = ()) -> list[str]:
    prune = bool(patterns) and not dockerignore.has_exceptions(patterns)
    found = []
    for root, dirs, files in os.walk(context):
        relative_root = Path(root).relative_to(context).as_posix()
        prefix = "" if relative_root == "." else relative_root + "/"
        if prune:
            # Without `!` patterns nothing below an excluded directory can come back.
            dirs[:] = [d for d in dirs if not dockerignore.is_excluded(prefix + d, patterns)]
        for name in files:
            found.append(prefix + name)
        found.extend(prefix + d for d in dirs if (Path(root) / d).is_symlink())
    return found
