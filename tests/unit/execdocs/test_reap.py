"""The sweep of killed runs (`cleanup.reap_dead_runs`) when runs start together, as
pytest-xdist's workers do: each may sweep the same killed run, and the first removes it."""

import json
import os
import shutil
import socket

from engine_fakes import engine_running

from execdocs import cleanup, workspace


def killed_run(base, name="execdocs-1-dead"):
    """A run directory whose runner is gone (its start time is not the pid's)."""
    root = base / name
    root.mkdir(mode=0o700)
    root.chmod(0o700)
    (root / workspace.OWNER_FILE).write_text(json.dumps(
        {"pid": os.getpid(), "start": -1, "host": socket.gethostname()}))
    return root


def test_a_killed_run_is_swept(tmp_path):
    root = killed_run(tmp_path)
    assert cleanup.reap_dead_runs(engine_running([]), tmp_path) == []
    assert not root.exists()


def test_a_killed_run_another_sweep_removes_meanwhile_is_no_error(tmp_path, monkeypatch):
    root = killed_run(tmp_path)
    cleaned = []

    def another_sweep_first(engine, run_id, run_root):
        cleaned.append(run_id)
        shutil.rmtree(run_root)

    monkeypatch.setattr(cleanup, "_clean_swarm", another_sweep_first)
    assert cleanup.reap_dead_runs(engine_running([]), tmp_path) == []
    assert cleaned == ["1-dead"] and not root.exists()
