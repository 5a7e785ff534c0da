"""Container tests side by side (pytest-xdist, one module per worker) and the few that
need the engine to themselves.

Most modules are isolated: their own project names, image names and free ports, so
`make test-container` runs them on every CPU (`-n auto --dist loadfile`). A module marked
`alone("why")` is not: it initialises and leaves a swarm (which a container of another
test would stop), or counts what appeared on the engine while it ran. Those run after,
one at a time, in a run without -n; under -n each fails at its set-up, saying so.

A run of modules side by side holds the engine shared, as a page does, for as long as it
runs: `make test` runs it beside the pages, and a page marked `alone` (which would stop
the containers of these tests) waits for it to end.
"""

from __future__ import annotations

import pytest

from execdocs.engine_lock import engine_use
from execdocs.workspace import runs_base

ALONE = "alone"


@pytest.fixture(scope="session", autouse=True)
def engine_shared_with_pages(request):
    """The engine held shared for the whole session, unless the session runs the `alone`
    modules (their pages take the engine exclusively: held here, they would wait for
    themselves). Each pytest-xdist worker holds it for its own session."""
    if any(item.get_closest_marker(ALONE) for item in request.session.items):
        yield
        return
    with engine_use(runs_base(), alone=False):
        yield


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker(ALONE)
    if marker is not None and hasattr(item.config, "workerinput"):  # a pytest-xdist worker
        why = marker.args[0] if marker.args else "see its module"
        pytest.fail(f"{item.nodeid} needs the engine to itself ({why}): run it without -n, "
                    f"as make test-container does (-m 'container and {ALONE}')", pytrace=False)


# The modules that take minutes (the quick start run in full; six images built without
# cache) start first: the other workers' short modules then run beside them, not after.
STARTS_FIRST = ("test_docs_beside_a_stack.py", "test_stack_images.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Stable: every worker collects the same order, as pytest-xdist requires."""
    items.sort(key=lambda item: item.path.name not in STARTS_FIRST)
