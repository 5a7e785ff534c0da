"""Every unit test's runs are made in a folder of the test session's own.

The runner makes its runs' folders in the temporary folder and holds that folder as the
engine's lock (`execdocs.engine_lock`): under the machine's own, a unit test that runs a
page would wait for a docs run of `make test` beside it (the Scaling out page holds it for
minutes), and its sweep of dead runs would look at theirs. `tempfile` keeps the folder it
first found, so both it and TMPDIR (for subprocesses) are set, before any test runs.
"""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(scope="session", autouse=True)
def runs_of_this_session_only(tmp_path_factory):
    base = tmp_path_factory.getbasetemp() / "runs"  # pytest's folder is made first
    base.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(base))
        patch.setenv("TMPDIR", str(base))
        yield base
