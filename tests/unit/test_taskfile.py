"""Taskfile.yml: the task names PaperTrade's contributors know, each a thin wrapper over a
Compose command the Docker guide teaches; and every `task` a page runs prints the command
the page says it does. No Docker: `task --dry` prints what a task would run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from execdocs import match

ROOT = Path(__file__).resolve().parents[2]
TASKFILE = ROOT / "Taskfile.yml"
DOCS = ROOT / "docs"
TASKS = ("docker:build", "docker:up:all", "docker:down", "docker:logs", "docker:backup",
         "test:docker:dev", "test:docker:prod")
# `make setup` installs go-task-bin beside the venv's python.
TASK = Path(sys.executable).parent / "task"
CLI_ARGS = "{{.CLI_ARGS}}"
PROMPT = re.compile(r"^\s*\$ (?P<command>.+)$")
URL = re.compile(r"https?://[^\s'\"]+")


def tasks() -> dict:
    return yaml.safe_load(TASKFILE.read_text(encoding="utf-8"))["tasks"]


def taught_commands() -> list[str]:
    """Every `$ command` line of the pages, tabs' indentation removed."""
    return [match["command"].strip() for page in sorted(DOCS.rglob("*.md"))
            for line in page.read_text(encoding="utf-8").splitlines()
            if (match := PROMPT.match(line))]


def words(command: str) -> list[str]:
    """The command's words; [] for the first line of one that goes on (an open quote)."""
    try:
        return shlex.split(command)
    except ValueError:
        return []


def run_task(*args: str) -> subprocess.CompletedProcess[str]:
    if not TASK.exists():
        pytest.fail(f"{TASK} is missing: run `make setup` (pyproject.toml's go-task-bin)")
    # NO_COLOR: Task colours its output where CI is set, as a terminal would show it.
    return subprocess.run([str(TASK), *args], cwd=ROOT / "docker", capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def test_the_taskfile_names_its_tasks_each_run_from_docker():
    found = tasks()
    assert sorted(found) == sorted(TASKS)
    for name, task in found.items():
        assert task.get("dir") == "docker", f"{name}: Compose runs from docker/, as on the pages"
        assert task.get("desc"), f"{name}: `task --list` shows only tasks with a desc"


def test_every_compose_command_of_a_task_is_one_a_page_teaches():
    taught = [words(command) for command in taught_commands()]
    for name, task in tasks().items():
        for command in task["cmds"]:
            if not command.startswith("docker "):
                continue
            wrapped = words(command.replace(CLI_ARGS, ""))
            # Words after `--` are the reader's: there, the taught command may go on.
            length = len(wrapped) if CLI_ARGS in command else None
            assert any(line[:length] == wrapped for line in taught), (
                f"{name}: `{command}` is not a command any page teaches")


def test_every_address_a_task_fetches_is_one_a_page_fetches():
    pages = " ".join(taught_commands())
    for name, task in tasks().items():
        for command in task["cmds"]:
            for url in URL.findall(command):
                assert url in pages, f"{name}: no page fetches {url}"


def test_task_list_shows_them_from_the_docker_folder():
    listed = run_task("--list")
    assert listed.returncode == 0, listed.stderr
    names = re.findall(r"^\* (\S+):", listed.stdout, re.MULTILINE)
    assert sorted(names) == sorted(TASKS)


def page_task_runs() -> list[tuple[str, str, str]]:
    """(page:line, `task ...` command, the line the page shows after it)."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[:-1], 1):
            match = PROMPT.match(line)
            if match and match["command"].startswith("task "):
                found.append((f"{page.relative_to(ROOT)}:{number}", match["command"],
                              lines[number].strip()))
    return found


def test_the_pages_run_tasks():
    shown = {shlex.split(command)[1] for _, command, _ in page_task_runs()}
    assert {"docker:up:all", "docker:down", "docker:logs", "test:docker:dev",
            "docker:build"} <= shown


@pytest.mark.parametrize(("where", "command", "shown"), page_task_runs())
def test_a_task_on_a_page_prints_the_command_the_page_shows(where, command, shown):
    dry = run_task("--dry", *shlex.split(command)[1:])
    assert dry.returncode == 0, f"{where}: {dry.stderr}"
    printed = [line.rstrip() for line in (dry.stdout + dry.stderr).splitlines()]
    # The page's line as the page's runner reads it: `...` stands for a reader's own
    # words (a folder), which the dry run prints as the page wrote them ('$backups').
    assert match([shown], [printed[0]]), f"{where}: `{command}` prints {printed[0]!r}"
