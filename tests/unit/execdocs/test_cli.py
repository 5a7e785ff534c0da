"""`python -m execdocs run`: exit 0 when all passed, 1 when any failed, 2 when any page is
invalid (and then nothing runs); a coverage summary and its JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

PASSING = "```console\n$ echo fine\nfine\n```\n"
FAILING = "```console\n$ echo actual\nexpected\n```\n"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(cwd)}  # keep run directories inside the test's
    return subprocess.run([sys.executable, "-m", "execdocs", "run", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_all_pages_passing_exit_0_and_write_coverage(tmp_path):
    (tmp_path / "a.md").write_text(PASSING)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "b.md").write_text(
        PASSING + '\n```console test="skip" reason="slow"\n$ sleep 100\n```\n')
    done = run_cli(tmp_path, "a.md", "notes", "--coverage-json", "out/cov.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED  a.md" in done.stdout and "PASSED  notes/b.md" in done.stdout
    data = json.loads((tmp_path / "out" / "cov.json").read_text())
    assert [page["page"] for page in data["pages"]] == ["a.md", "notes/b.md"]
    assert data["pages"][1]["skip_reasons"] == ["notes/b.md:6: slow"]
    assert data["totals"]["executed_share"] == 2 / 3


def test_a_failing_page_exits_1_with_its_report(tmp_path):
    (tmp_path / "ok.md").write_text(PASSING)
    (tmp_path / "bad.md").write_text(FAILING)
    done = run_cli(tmp_path, "ok.md", "bad.md")
    assert done.returncode == 1
    assert "bad.md:2: the output does not match" in done.stdout
    assert "-expected" in done.stdout and "+actual" in done.stdout
    assert (tmp_path / "build" / "execdocs" / "coverage.json").exists()


def test_an_invalid_page_exits_2_before_anything_runs(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "first.md").write_text(f"```console\n$ touch {marker}\n```\n")
    (tmp_path / "broken.md").write_text('```console wiat="5"\n$ true\n```\n')
    done = run_cli(tmp_path, "first.md", "broken.md")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith("broken.md:1: unknown option 'wiat'")
    assert not marker.exists()


def test_a_missing_page_is_invalid(tmp_path):
    done = run_cli(tmp_path, "nowhere.md")
    assert done.returncode == 2 and "nowhere.md:1:" in done.stderr


def test_update_rewrites_the_page_and_exits_0(tmp_path):
    (tmp_path / "page.md").write_text(FAILING)
    done = run_cli(tmp_path, "page.md", "--update")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "page.md").read_text() == FAILING.replace("expected", "actual")
    assert run_cli(tmp_path, "page.md").returncode == 0


def test_the_run_leaves_no_directory_behind(tmp_path):
    (tmp_path / "a.md").write_text(PASSING)
    run_cli(tmp_path, "a.md")
    assert not list(tmp_path.glob("execdocs-*"))


def test_a_project_page_runs_as_rendered_and_reports_snippet_lines(tmp_path):
    from mkdocs_project import write_project

    write_project(tmp_path, {
        "snippets/setup.sh": "echo preparing\nfalse\necho never\n",
        "docs/guide.md": """\
            # Guide

            ```console requires="always"
            $ echo {{ version }}
            17.2
            ```

            ```console requires="never"
            $ echo skipped
            ```

            ```bash
            --8<-- "setup.sh"
            ```
            """,
    })
    done = run_cli(tmp_path, "docs/guide.md", "--config", "mkdocs.yml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "snippets/setup.sh:2: exit status 1, expected 0" in done.stdout
    assert "(included by the block at docs/guide.md:12)" in done.stdout
    data = json.loads((tmp_path / "build/execdocs/coverage.json").read_text())
    assert data["pages"][0]["skip_reasons"] == ["docs/guide.md:8: requires never"]


def test_a_condition_the_project_does_not_define_is_an_invalid_page(tmp_path):
    (tmp_path / "page.md").write_text('```console requires="gpu"\n$ true\n```\n')
    done = run_cli(tmp_path, "page.md")
    assert done.returncode == 2
    assert done.stderr.startswith("page.md:1: requires='gpu' names no condition")


LISTED = """\
---
title: Listed
---

```console
$ npm run build
> my-app@1.0.0 build
> rm -rf dist && tsc
$ cat <<'EOF' > app.env
> KEY=value
> EOF
```

!!! note
    ```bash test="background"
    sleep 1000
    ```

```yaml file="compose.yaml"
services: {}
```

```console test="skip" reason="needs Docker Hub"
$ docker pull postgres:17
```

<!-- execdocs
```sh
echo teardown
```
-->

```json
{}
```
"""


def list_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "execdocs", "list", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_list_json_shows_what_would_run_and_runs_nothing(tmp_path):
    (tmp_path / "a.md").write_text(LISTED)
    (tmp_path / "b.md").write_text('---\nexecdocs:\n  skip: "a GPU"\n---\n```sh\ntouch ran\n```\n')
    done = list_cli(tmp_path, "--json", "a.md", "b.md")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and not (tmp_path / "ran").exists()
    assert json.loads(done.stdout) == [
        {"page": "a.md", "line": 5, "language": "console", "action": "run", "hidden": False,
         "commands": ["npm run build", "cat <<'EOF' > app.env\nKEY=value\nEOF"]},
        {"page": "a.md", "line": 15, "language": "bash", "action": "background",
         "hidden": False},
        {"page": "a.md", "line": 19, "language": "yaml", "action": "file", "hidden": False},
        {"page": "a.md", "line": 23, "language": "console", "action": "skip", "hidden": False,
         "reason": "needs Docker Hub", "commands": ["docker pull postgres:17"]},
        {"page": "a.md", "line": 28, "language": "sh", "action": "run", "hidden": True},
        {"page": "a.md", "line": 33, "language": "json", "action": "show", "hidden": False},
        {"page": "b.md", "line": 5, "language": "sh", "action": "skip", "hidden": False,
         "reason": "a GPU"},
    ]


def test_list_reports_every_problem_of_every_page_and_exits_2(tmp_path):
    (tmp_path / "ok.md").write_text("```console\n$ true\n```\n")
    (tmp_path / "bad.md").write_text(
        '```console wiat="5"\n$ ls\n```\n\n```console\nout\n```\n\n!!! note\n    ```sh\n    x\n'
    )
    (tmp_path / "worse.md").write_text('```console test="skip"\n$ ls\n```\n')
    done = list_cli(tmp_path, "--json", "ok.md", "bad.md", "worse.md")
    assert done.returncode == 2
    assert [entry["page"] for entry in json.loads(done.stdout)] == ["ok.md"]
    problems = done.stderr.splitlines()
    assert [line.split(": ")[0] for line in problems] == [
        "bad.md:1", "bad.md:6", "bad.md:10", "worse.md:1"
    ]


def test_list_without_json_is_for_reading(tmp_path):
    (tmp_path / "a.md").write_text(LISTED)
    done = list_cli(tmp_path, "a.md")
    assert done.returncode == 0, done.stderr
    assert "a.md:23" in done.stdout and "needs Docker Hub" in done.stdout
    assert "    $ cat <<'EOF' > app.env\n    > KEY=value\n    > EOF" in done.stdout


def test_run_reports_every_problem_of_an_invalid_page(tmp_path):
    (tmp_path / "bad.md").write_text('```console wiat="5"\n$ ls\n```\n\n```console\nout\n```\n')
    done = run_cli(tmp_path, "bad.md")
    assert done.returncode == 2
    assert [line.split(": ")[0] for line in done.stderr.splitlines()[:2]] == [
        "bad.md:1", "bad.md:6"
    ]


def test_durations_lists_the_slowest_blocks_with_their_lines(tmp_path):
    (tmp_path / "a.md").write_text(PASSING + "\n```console\n$ sleep 0.6\n```\n"
                                   "\n```console\n$ sleep 0.3\n```\n")
    done = run_cli(tmp_path, "a.md", "--durations", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = done.stdout.split("slowest 2 block(s):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[2:] for line in listed] == [
        ["a.md:6", "console", "$", "sleep", "0.6"], ["a.md:10", "console", "$", "sleep", "0.3"]]
    assert float(listed[0].split()[0]) >= 0.6
    assert "slowest" not in run_cli(tmp_path, "a.md").stdout
