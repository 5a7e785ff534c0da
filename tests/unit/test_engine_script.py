"""engine.sh with no engine and no root: one line, no attempt to install anything."""

from __future__ import annotations

import subprocess
from pathlib import Path

SETUP = Path(__file__).resolve().parents[2] / "docker" / "setup"


def test_no_engine_and_no_root_is_one_line_naming_what_to_do():
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "bash", str(SETUP / "engine.sh")],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent.sock",
             "HOME": "/tmp"},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "no Docker engine answers and this user is not root" in done.stderr
