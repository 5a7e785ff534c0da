"""A fresh build of every image agrees with the committed sizes within 10%.

Runs wherever the container tests run (CI included): the images are built through the
same code `make measure` uses, from a copy of docker/, with the build cache (sizes do
not depend on it). A miss means the images changed without `make measure`, or that
Debian's packages moved far enough that the figures should be measured again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from papertrade_docs import figures
from papertrade_docs.images import IMAGES
from papertrade_docs.measure.build_images import build_and_inspect
from papertrade_docs.measure.cli import copy_checkout, write_production_env
from papertrade_docs.measure.compose_builds import image_builds
from papertrade_docs.measure.progress import Progress
from papertrade_docs.measurements import DATA_FILE, load

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.10


@pytest.fixture(scope="module")
def fresh() -> dict[str, dict]:
    progress = Progress(heartbeat_seconds=60)
    with tempfile.TemporaryDirectory(prefix="papertrade-fresh-") as temporary:
        copy = Path(temporary) / "docker"
        copy_checkout(ROOT / "docker", copy)
        env_file = write_production_env(copy, {"HTTP_PORT": "8080"})
        return {
            build.image.name: build_and_inspect(
                build,
                copied,
                progress,
                env_file if build.image.compose_file == "compose.prod.yaml" else None,
                use_cache=True,
                root=ROOT,
            )
            for build, copied in zip(image_builds(ROOT / "docker"), image_builds(copy), strict=True)
        }


@pytest.mark.parametrize("image", IMAGES, ids=[image.name for image in IMAGES])
def test_a_fresh_build_agrees_with_the_committed_size(fresh, image):
    committed = load(ROOT / DATA_FILE).image_field(image.name, "size_bytes")
    measured = fresh[image.name]["size_bytes"]
    assert abs(measured - committed) <= TOLERANCE * committed, (
        f"{image.name} builds to {figures.megabytes(measured)} ({measured} bytes) but "
        f"{DATA_FILE} says {figures.megabytes(committed)} ({committed} bytes), more than "
        f"{TOLERANCE:.0%} apart: run `make measure`"
    )
