"""Container tests side by side (pytest-xdist, one module per worker) and the few that
need the engine to themselves.

Most modules are isolated: their own project names, image names and free ports, so
`make test-container` runs them on every CPU (`-n auto --dist loadfile`). A module marked
`alone("why")` is not: it initialises and leaves a swarm (which a container of another
test would stop), or counts what appeared on the engine while it ran. Those run after,
one at a time, in a run without -n; under -n each fails at its set-up, saying so.
"""

from __future__ import annotations

import pytest

ALONE = "alone"


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
