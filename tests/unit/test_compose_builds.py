"""The tag the measurement builds and inspects is the one Compose gives an image with no
variable set: `papertrade/backend:${APP_TAG:-prod}` is `papertrade/backend:prod`."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrade_docs.measure.compose_builds import image_builds, with_defaults

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("written", "read"), [
    ("papertrade/backend:${APP_TAG:-prod}", "papertrade/backend:prod"),
    ("${REGISTRY-127.0.0.1:5000}/papertrade/db:17", "127.0.0.1:5000/papertrade/db:17"),
    ("papertrade/cache:8", "papertrade/cache:8"),
])
def test_defaults_are_filled_in_as_compose_does(written, read):
    assert with_defaults(written) == read


def test_every_measured_tag_is_a_plain_reference():
    assert all("$" not in build.tag for build in image_builds(ROOT / "docker"))
