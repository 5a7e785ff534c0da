"""The context hash: the same everywhere, changed by any file a build sees, and by
nothing a build does not see."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from papertrade_docs.measure.context_hash import context_files, context_hash


@pytest.fixture
def context(tmp_path: Path) -> Path:
    root = tmp_path / "backend"
    (root / "src" / "app").mkdir(parents=True)
    (root / "Dockerfile").write_text("FROM debian:trixie-slim\nCOPY src /src\n")
    (root / ".dockerignore").write_text("**/__pycache__\n*.log\n")
    (root / "src" / "app" / "main.py").write_text("print('hello')\n")
    (root / "requirements.txt").write_text("fastapi==0.1\n")
    return root


def digest(context: Path) -> str:
    return context_hash(context, context / "Dockerfile")


def test_the_hash_names_its_algorithm(context):
    assert digest(context).startswith("sha256:")
    assert len(digest(context)) == len("sha256:") + 64


def test_a_copy_elsewhere_hashes_the_same(context, tmp_path):
    # Another machine: another absolute path, other timestamps.
    copy = tmp_path / "elsewhere" / "ctx"
    shutil.copytree(context, copy)
    os.utime(copy / "requirements.txt", (0, 0))
    assert digest(copy) == digest(context)


def test_changing_one_file_changes_the_hash(context):
    before = digest(context)
    (context / "src" / "app" / "main.py").write_text("print('hello!')\n")
    assert digest(context) != before


def test_changing_the_dockerfile_changes_the_hash(context):
    before = digest(context)
    (context / "Dockerfile").write_text("FROM debian:trixie-slim\nCOPY src /app\n")
    assert digest(context) != before


def test_renaming_a_file_changes_the_hash(context):
    before = digest(context)
    (context / "requirements.txt").rename(context / "requirements-prod.txt")
    assert digest(context) != before


def test_adding_a_file_changes_the_hash(context):
    before = digest(context)
    (context / "src" / "app" / "extra.py").write_text("")
    assert digest(context) != before


def test_the_executable_bit_changes_the_hash(context):
    before = digest(context)
    (context / "src" / "app" / "main.py").chmod(0o755)
    assert digest(context) != before


def test_files_the_dockerignore_excludes_do_not_count(context):
    before = digest(context)
    (context / "src" / "app" / "__pycache__").mkdir()
    (context / "src" / "app" / "__pycache__" / "main.cpython-313.pyc").write_bytes(b"\0")
    (context / "build.log").write_text("noise")
    assert digest(context) == before
    assert context_files(context) == [
        ".dockerignore",
        "Dockerfile",
        "requirements.txt",
        "src/app/main.py",
    ]


def test_changing_the_dockerignore_changes_what_counts(context):
    (context / "build.log").write_text("noise")
    before = digest(context)
    (context / ".dockerignore").write_text("**/__pycache__\n")
    assert "build.log" in context_files(context)
    assert digest(context) != before


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_inside_a_work_tree_files_git_ignores_do_not_count(context):
    # node_modules and .env exist on one machine only: they must not move the hash.
    git(context.parent, "init", "-q")
    (context.parent / ".gitignore").write_text("node_modules/\n.env\n")
    before = digest(context)
    (context / "node_modules").mkdir()
    (context / "node_modules" / "dep.js").write_text("")
    (context / ".env").write_text("SECRET=1\n")
    assert digest(context) == before
    (context / "src" / "app" / "main.py").write_text("changed\n")
    assert digest(context) != before  # untracked, unignored files still count
