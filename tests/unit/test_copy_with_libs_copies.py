"""copy-with-libs.sh (a program and the shared libraries it loads, for a `scratch` image)
is one script: docker/frontend/image/ holds it, and the db and cache images, whose build
contexts are their own folders, each build from a copy that must not drift from it."""

from __future__ import annotations

import pytest

from papertrade_docs.lint.cli import ROOT

SOURCE = ROOT / "docker" / "frontend" / "image" / "copy-with-libs.sh"


@pytest.mark.parametrize("component", ["db", "cache"])
def test_the_copy_in_the_build_context_is_the_script_itself(component):
    copy = ROOT / "docker" / component / "copy-with-libs.sh"
    assert copy.read_bytes() == SOURCE.read_bytes(), (
        f"{copy.relative_to(ROOT)} differs from {SOURCE.relative_to(ROOT)}: "
        f"change the latter, then copy it over the former"
    )
