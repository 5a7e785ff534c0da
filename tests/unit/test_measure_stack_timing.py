"""The pieces of the stack timing that need no engine: what is edited, and how the
measurement reports and waits."""

from __future__ import annotations

import io
import threading

import pytest

from papertrade_docs.measure.progress import Progress
from papertrade_docs.measure.stack_timing import (
    RELOAD_ROUTE,
    StackError,
    app_module,
    entry_module,
    median,
    wait_for,
)


def test_the_app_module_is_the_one_assigning_app(tmp_path):
    package = tmp_path / "papertrade"
    package.mkdir()
    (package / "settings.py").write_text("application = 'no'\n")
    (package / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert app_module(tmp_path) == package / "main.py"


def test_an_app_assigned_inside_a_top_level_try_counts(tmp_path):
    (tmp_path / "factory.py").write_text("def create_app():\n    app = object()\n    return app\n")
    (tmp_path / "main.py").write_text(
        "from factory import create_app\n\ntry:\n    app = create_app()\n"
        "except ValueError as error:\n    raise SystemExit(error) from None\n"
    )
    assert app_module(tmp_path) == tmp_path / "main.py"


def test_without_an_app_module_the_error_says_what_is_needed(tmp_path):
    (tmp_path / "x.py").write_text("def make():\n    app = 1\n")
    with pytest.raises(StackError, match=r"assigns `app = \.\.\.` at module level"):
        app_module(tmp_path)


def test_the_added_route_is_valid_python_returning_its_token():
    namespace: dict = {}

    class App:
        def get(self, path, **_options):
            def register(function):
                namespace["route"] = (path, function)
                return function

            return register

    exec(RELOAD_ROUTE.format(token="abc123"), {"app": App()})
    path, function = namespace["route"]
    assert path == "/measure-reload/abc123"
    assert function() == {"token": "abc123"}


def test_the_entry_module_comes_from_index_html(tmp_path):
    (tmp_path / "index.html").write_text(
        '<body><div id="app"></div>\n<script type="module" src="/src/main.ts"></script></body>'
    )
    assert entry_module(tmp_path / "index.html") == "/src/main.ts"


def test_an_index_without_a_module_script_is_named(tmp_path):
    (tmp_path / "index.html").write_text("<body></body>")
    with pytest.raises(StackError, match=r"index\.html: no <script type=\"module\""):
        entry_module(tmp_path / "index.html")


def test_the_figure_is_the_median_of_the_tries():
    assert median([0.9, 0.3, 0.5, 4.0, 0.4]) == 0.5


def test_waiting_gives_up_with_what_it_waited_for():
    with pytest.raises(StackError, match=r"waited 0 s for the moon, in vain"):
        wait_for(lambda: False, "the moon", timeout=0.05)


def test_progress_names_the_subject_step_and_elapsed_time():
    stream = io.StringIO()
    progress = Progress(stream, heartbeat_seconds=0.01)
    with progress.step("backend-prod", "building"):
        # Held until the heartbeat has spoken at least once.
        spoke = threading.Event()
        while not spoke.wait(0.01):
            if "still building" in stream.getvalue():
                spoke.set()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "measure [00:00] backend-prod: building"
    assert any(line.startswith("measure [00:00] backend-prod: still building (") for line in lines)
    assert lines[-1].startswith("measure [00:00] backend-prod: done building in ")


def test_progress_reports_a_failed_step():
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Progress(stream).step("db", "building"):
        raise RuntimeError("boom")
    assert stream.getvalue().splitlines()[-1].startswith("measure [00:00] db: FAILED building")
