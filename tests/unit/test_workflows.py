"""The GitHub workflows validate against GitHub's workflow schema, offline (the schema
ships inside check-jsonschema), and the validation does fail on a broken workflow."""

from __future__ import annotations

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


def test_test_workflow_runs_what_a_contributor_runs():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
    job = workflow["jobs"]["test"]
    assert job["runs-on"] == "ubuntu-latest"
    assert any(step.get("run") == "make test" for step in job["steps"])


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
