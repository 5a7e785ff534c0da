"""The project reaches the runner through its public surface (`execdocs.__all__`) only,
and states no rule of the runner's again."""

from __future__ import annotations

import re
from pathlib import Path

import execdocs
import papertrade_docs

PROJECT = Path(papertrade_docs.__file__).parent  # the project that uses the runner


def test_the_public_surface_resolves():
    for name in execdocs.__all__:
        assert getattr(execdocs, name) is not None, name
    assert set(execdocs.__all__) == {*execdocs._HOMES, "sandbox"}


def test_the_project_imports_only_the_public_surface():
    deeper = re.compile(r"^\s*(?:from|import) execdocs\.", re.MULTILINE)
    modules = sorted(PROJECT.rglob("*.py"))
    assert modules
    found = [str(path.relative_to(PROJECT)) for path in modules
             if deeper.search(path.read_text(encoding="utf-8"))]
    assert found == [], "import these from `execdocs` (its __all__) instead"


def test_lint_checks_the_shell_blocks_the_runner_runs(tmp_path):
    from papertrade_docs.lint.blocks import SHELL_LANGUAGES as linted
    from papertrade_docs.lint.blocks import page_script

    assert linted is execdocs.SHELL_LANGUAGES  # one list; both read it in any case
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n```BASH\necho checked\n```\n")
    assert page_script(page).lines == ["echo checked"]
    [block] = execdocs.load_page(page, None).blocks
    assert block.kind == "shell"  # and run (tests/unit/execdocs/test_runner.py)
