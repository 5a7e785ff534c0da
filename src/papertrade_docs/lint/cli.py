"""`make lint`: every linter, fast and without Docker. Each step prints one line when
clean, and `file:line: ...` for each finding when not; the exit status is 1 when any
step found something.

    python -m papertrade_docs.lint            # all steps
    python -m papertrade_docs.lint shellcheck # only the named steps
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from execdocs import InvalidPage
from papertrade_docs import project_root
from papertrade_docs.lint import build_files as lint_build_files
from papertrade_docs.lint import portability as lint_portability
from papertrade_docs.lint.blocks import page_script

ROOT = project_root()
BIN = Path(sys.executable).parent  # the venv's tools sit beside its python
SKIPPED_DIRS = {"node_modules", ".venv", "site", "build", ".git"}


@dataclass
class Outcome:
    what: str  # what was checked, e.g. "4 Dockerfiles"
    findings: list[str]


def _files(root: Path, *patterns: str) -> list[Path]:
    found = {path for pattern in patterns for path in root.glob(pattern)}
    return sorted(
        p for p in found if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(root).parts)
    )


def _relative(root: Path, paths: list[Path]) -> list[str]:
    return [str(path.relative_to(root)) for path in paths]


def _run(root: Path, *command: str) -> list[str]:
    """The tool's report, one finding per line; nothing when it exits 0."""
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return []
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return lines or [f"{command[0]} exited {result.returncode} without saying why"]


def hadolint(root: Path) -> Outcome:
    files = _files(
        root,
        *(f"{folder}/**/{name}" for folder in lint_build_files.IMAGE_SOURCE_DIRS
          for name in ("Dockerfile", "Dockerfile.*", "*.Dockerfile")),
    )
    if not files:
        return Outcome("no Dockerfiles yet", [])
    return Outcome(
        f"{len(files)} Dockerfiles",
        _run(root, str(BIN / "hadolint"), "--no-color", *_relative(root, files)),
    )


def shellcheck_scripts(root: Path) -> Outcome:
    files = _files(
        root, "snippets/**/*.sh", "docker/**/*.sh", "labs/**/*.sh", "tests/**/*.sh", ".ci/run"
    )
    if not files:
        return Outcome("no scripts", [])
    return Outcome(
        f"{len(files)} scripts",
        _run(root, str(BIN / "shellcheck"), "--format=gcc", *_relative(root, files)),
    )


SHELLCHECK_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")


def shellcheck_docs(root: Path) -> Outcome:
    findings: list[str] = []
    scripts = []
    for page in _files(root, "docs/**/*.md"):
        try:
            script = page_script(page)
        except InvalidPage as error:
            findings.append(
                f"{Path(error.origin.path).relative_to(root)}:{error.origin.line}: {error.message}"
            )
            continue
        if script.lines:
            scripts.append(script)
    with tempfile.TemporaryDirectory(prefix="lint-docs-") as tmp:
        by_file = {}
        for number, script in enumerate(scripts):
            path = Path(tmp, f"page{number}.sh")
            path.write_text(script.text(), encoding="utf-8")
            by_file[str(path)] = script
        if by_file:
            # SC2164: blocks run with errexit, so a failing `cd` already stops the page.
            for line in _run(
                root,
                str(BIN / "shellcheck"),
                "--format=gcc",
                "--shell=bash",
                "--exclude=SC2164",
                *by_file,
            ):
                match = SHELLCHECK_LINE.match(line)
                script = by_file.get(match["file"]) if match else None
                if script is None:
                    findings.append(line)
                    continue
                page = script.page.relative_to(root)
                findings.append(f"{page}:{script.page_line(int(match['line']))}: {match['rest']}")
    return Outcome(f"shell blocks of {len(scripts)} pages", findings)


def portability(root: Path) -> Outcome:
    """GNU-only idioms and unnamed tools in pages (portability); CPU architectures
    and CRLF in the files that build the images (build_files)."""
    pages = _files(root, "docs/**/*.md")
    findings = [line for page in pages for line in lint_portability.page_findings(page, root)]
    findings += lint_build_files.architecture_findings(root)
    findings += lint_build_files.line_ending_findings(root)
    build_files = lint_build_files.build_files(root)
    return Outcome(f"{len(pages)} pages and {len(build_files)} build files", findings)


def yamllint(root: Path) -> Outcome:
    files = _files(
        root,
        "docker/compose*.yaml",
        "docker/compose*.yml",
        "snippets/**/compose*.yaml",
        "labs/**/compose*.yaml",
        ".github/workflows/*.yml",
        ".github/workflows/*.yaml",
        "mkdocs.yml",
        "Taskfile.yml",
        ".yamllint",
        "docs/progress/.authors.yml",
    )
    return Outcome(
        f"{len(files)} YAML files",
        _run(root, str(BIN / "yamllint"), "--strict", "--format=parsable", *_relative(root, files)),
    )


def workflows(root: Path) -> Outcome:
    """The GitHub workflows against GitHub's workflow schema (check-jsonschema ships it,
    so this runs offline): a misspelt key or a bad matrix fails here, not on GitHub."""
    files = _files(root, ".github/workflows/*.yml", ".github/workflows/*.yaml")
    return Outcome(
        f"{len(files)} workflows against GitHub's schema",
        _run(root, str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
             "--output-format", "text", *_relative(root, files)) if files else [],
    )


def ruff(root: Path) -> Outcome:
    return Outcome(
        "the Python code",
        _run(root, str(BIN / "ruff"), "check", "--quiet", "--output-format=concise", "."),
    )


def codespell(root: Path) -> Outcome:
    targets = [name for name in ("docs", "README.md") if (root / name).exists()]
    return Outcome(" and ".join(targets), _run(root, str(BIN / "codespell"), *targets))


def notes(root: Path) -> Outcome:
    return Outcome(
        "the progress notes", _run(root, sys.executable, "-m", "papertrade_docs.notes", "check")
    )


STEPS: dict[str, Callable[[Path], Outcome]] = {
    "hadolint": hadolint,
    "shellcheck": shellcheck_scripts,
    "shellcheck-docs": shellcheck_docs,
    "portability": portability,
    "yamllint": yamllint,
    "workflows": workflows,
    "ruff": ruff,
    "codespell": codespell,
    "notes": notes,
}


def main(argv: list[str], root: Path = ROOT) -> int:
    unknown = [name for name in argv if name not in STEPS]
    if unknown:
        print(f"lint: unknown step {unknown[0]!r}: use one of {', '.join(STEPS)}", file=sys.stderr)
        return 2
    failed = []
    for name in argv or STEPS:
        outcome = STEPS[name](root)
        if outcome.findings:
            failed.append(name)
            print("\n".join(outcome.findings))
            print(f"lint: {name}: {len(outcome.findings)} finding line(s) in {outcome.what}")
        else:
            print(f"lint: {name}: {outcome.what} clean")
    if failed:
        print(f"lint: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
