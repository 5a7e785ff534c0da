"""The real repository's environment reference agrees with the stack, and stops agreeing
the moment the stack changes under it (checked on a scratch copy, never the checkout)."""

from __future__ import annotations

import shutil
from pathlib import Path

from papertrade_docs.envref.catalog import CATALOG_PATH, load_catalog
from papertrade_docs.envref.check import find_problems
from papertrade_docs.envref.places import COMPOSE_FILES, scanned_files
from papertrade_docs.envref.table import reference_table

ROOT = Path(__file__).resolve().parents[2]
# The catalog and every file the scan reads: Compose files, .env examples, settings, and
# the images' Dockerfiles and scripts.
CHECKED_FILES = [CATALOG_PATH, *scanned_files(ROOT)]


def scratch_copy(tmp_path: Path) -> Path:
    for relative in CHECKED_FILES:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, target)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}: pick another variable for this test"
    path.write_text(text.replace(old, new))


def test_the_repository_passes_the_check():
    assert find_problems(ROOT) == []


def test_the_scratch_copy_passes_before_it_is_changed(tmp_path):
    assert find_problems(scratch_copy(tmp_path)) == []


def test_a_variable_renamed_in_compose_fails_both_ways(tmp_path):
    root = scratch_copy(tmp_path)
    replace_in(root / COMPOSE_FILES["dev"], "${BACKEND_PORT:-8000}", "${API_PORT:-8000}")
    problems = "\n".join(find_problems(root))
    assert "docker/compose.yaml:" in problems
    assert "API_PORT is used here but not documented" in problems
    assert "API_PORT can be set but docker/.env.example does not list it" in problems
    assert "BACKEND_PORT is documented but no Compose file or setting uses it" in problems


def test_a_default_changed_in_one_place_fails(tmp_path):
    root = scratch_copy(tmp_path)
    replace_in(root / COMPOSE_FILES["prod"], "${HTTP_PORT:-8080}", "${HTTP_PORT:-80}")
    problems = find_problems(root)
    assert len(problems) == 1
    assert problems[0].startswith("docker/compose.prod.yaml:")
    assert "HTTP_PORT defaults to '80' here but to '8080'" in problems[0]


def test_the_table_has_a_row_for_every_variable_of_the_catalog():
    table = reference_table(ROOT)
    names = {variable.name for variable in load_catalog(ROOT)}
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]}
    assert rows == names
