"""The GitHub workflows validate against GitHub's workflow schema, offline (the schema
ships inside check-jsonschema), and the validation does fail on a broken workflow."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True, check=False,
    )


def test_the_three_workflows_are_there():
    assert {path.name for path in WORKFLOWS} == {"docs.yml", "test.yml", "zensical.yml"}


def test_every_workflow_matches_the_schema():
    result = validate(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def rewritten(tmp_path: Path, workflow: dict) -> Path:
    path = tmp_path / "docs.yml"
    path.write_text(yaml.safe_dump(workflow).replace("true:", "'on':", 1))
    return path


def test_the_rewritten_workflow_still_validates(tmp_path):
    # The control for the mutations below: rewriting alone breaks nothing.
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text())
    result = validate(rewritten(tmp_path, workflow))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("mutation", ["runs-on renamed", "step without uses or run",
                                      "unknown trigger"])
def test_a_broken_workflow_fails_validation(tmp_path, mutation):
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text())
    job = workflow["jobs"]["build"]
    if mutation == "runs-on renamed":
        job["runs_on"] = job.pop("runs-on")
    elif mutation == "step without uses or run":
        job["steps"].append({"name": "does nothing"})
    else:
        workflow[True]["on_a_whim"] = None  # PyYAML reads the key `on` as True
    assert validate(rewritten(tmp_path, workflow)).returncode != 0


def test_docs_deploys_to_pages_only_from_main():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make build" for step in steps)
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact@") for step in steps)
    deploy = workflow["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def make_test_targets() -> list[str]:
    """What `make test` runs after provisioning, in order: its recipe's $(MAKE) targets,
    their options and variables aside, each expanded into its own recipe's when it has such lines;
    test-container's two halves as test-container."""
    makefile = (ROOT / "Makefile").read_text()

    def targets(name: str) -> list[str]:
        rest = makefile.split(f"\n{name}: ", 1)[1].split("\n")[1:]
        recipe = "\n".join(itertools.takewhile(lambda line: line.startswith("\t"), rest))
        called = [word for line in re.findall(r"\$\(MAKE\) --no-print-directory ([^|;\n]+)", recipe)
                  for word in line.split() if not word.startswith("-") and "=" not in word]
        return [leaf for word in called for leaf in (targets(word) or [word])]

    found = targets("test")
    halves = ["test-container-beside", "test-container-alone"]
    assert all(half in found for half in halves), found
    return ["test-container" if target == halves[0] else target
            for target in found if target != halves[1]]


def test_test_workflow_runs_what_a_contributor_runs():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    runs = {name: [step.get("run", "") for step in job["steps"]]
            for name, job in workflow["jobs"].items()}
    hosts = {name: job["runs-on"] for name, job in workflow["jobs"].items()}
    assert hosts.pop("arm64") == "ubuntu-24.04-arm"  # GitHub's hosted arm64 runner
    assert set(hosts.values()) == {"ubuntu-latest"}
    # The arm64 job runs all of it natively; on x86_64, `make test` = the test job's
    # targets + the docs pages, which the docs jobs run.
    assert runs["arm64"][-1] == "make test"
    tested = [run.split()[1:] for run in runs["test"] if run.startswith("make ")]
    assert tested and sorted(tested[0] + ["test-docs"]) == sorted(make_test_targets())


def test_the_docs_run_as_a_matrix_of_shards_whose_summaries_are_merged():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    docs, summary = workflow["jobs"]["docs"], workflow["jobs"]["docs-summary"]
    shards = docs["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) > 1
    assert docs["strategy"]["fail-fast"] is False  # every shard's summary, also on a failure
    run = next(step["run"] for step in docs["steps"] if "make test-docs" in step.get("run", ""))
    assert "DOCS_SHARD=${{ matrix.shard }}/${{ strategy.job-total }}" in run
    assert "DOCS_COVERAGE=build/execdocs/shard.json" in run and "--execdocs-record" in run
    upload = next(step for step in docs["steps"]
                  if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "execdocs-shard-${{ matrix.shard }}"
    assert upload["with"]["path"] == "build/execdocs/shard.json" and upload["if"] == "always()"
    assert summary["needs"] == "docs" and "cancelled()" in summary["if"]
    steps = summary["steps"]
    download = next(k for k, step in enumerate(steps)
                    if step.get("uses", "").startswith("actions/download-artifact@"))
    assert steps[download]["with"] == {"pattern": "execdocs-shard-*", "path": "shards"}
    merge = next(k for k, step in enumerate(steps) if "coverage merge" in step.get("run", ""))
    assert merge > download
    assert steps[merge]["run"].split() == [
        ".venv/bin/python", "-m", "execdocs", "coverage", "merge", "shards/*/shard.json",
        "-o", "build/execdocs/coverage.json", "--record"]
    assert any(step.get("run") == "make build" for step in steps[merge:])


def test_zensical_job_is_a_required_check_on_a_version_that_installs():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "zensical.yml").read_text())
    job = workflow["jobs"]["build"]
    # A failed build or a difference from the MkDocs build fails the workflow.
    assert "continue-on-error" not in job
    assert not any(step.get("continue-on-error") for step in job["steps"])
    assert any(step.get("run", "").endswith("pytest -q tests/site/test_zensical.py")
               for step in job["steps"])
    # The test installs the pinned version (0.1.x needs a zensical-ui the index lacks).
    pins = [line for line in (ROOT / "tests" / "site" / "requirements-zensical.txt")
            .read_text().splitlines() if line and not line.startswith("#")]
    assert pins == ["zensical==0.0.73"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_github_expressions_live_only_in_workflow_files():
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".md", ".yml", ".yaml", ".sh"} or not path.is_file():
            continue
        if name.startswith(".github/workflows/") or name.startswith("snippets/"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "${{" in text and "{% raw %}" not in text:
            offenders.append(name)
    assert not offenders, f"'${{{{' outside workflow files and snippets: {offenders}"
