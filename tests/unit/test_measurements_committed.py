"""The committed figures still describe the committed stack, and keep to the budgets.

No Docker needed: the hashes of the Dockerfiles and build contexts are recomputed from
docker/ and compared with the ones `make measure` recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrade_docs.measure import figure_text
from papertrade_docs.measure.compose_builds import image_build
from papertrade_docs.measure.context_hash import context_hash, file_hash
from papertrade_docs.measure.images import IMAGES, STACK_COMPOSE_FILES
from papertrade_docs.measure.measurements import DATA_FILE, load

ROOT = Path(__file__).resolve().parents[2]
IMAGE_NAMES = [image.name for image in IMAGES]


@pytest.fixture(scope="module")
def committed():
    return load(ROOT / DATA_FILE)  # validates the whole document, or says to run make measure


@pytest.mark.parametrize("image", IMAGES, ids=IMAGE_NAMES)
def test_the_measurement_matches_the_current_dockerfile_and_context(committed, image):
    build = image_build(ROOT / "docker", image)
    recorded = committed.image_field(image.name, "context_hash")
    current = context_hash(build.context, build.dockerfile)
    context = build.context.relative_to(ROOT).as_posix()
    assert current == recorded, (
        f"{context} changed since the last measurement of {image.name}: run `make measure`"
    )
    assert committed.image_field(image.name, "image") == build.tag, (
        f"docker/{image.compose_file} now tags {image.name} {build.tag}: run `make measure`"
    )


@pytest.mark.parametrize("name", STACK_COMPOSE_FILES)
def test_the_stack_timings_match_the_current_compose_files(committed, name):
    # Health-check intervals and start order shape the ready times: a change re-measures.
    recorded = committed.data["compose_files"][name]
    assert file_hash(ROOT / "docker" / name) == recorded, (
        f"docker/{name} changed since the last measurement of the stack: run `make measure`"
    )


@pytest.mark.parametrize("image", IMAGES, ids=IMAGE_NAMES)
def test_every_image_is_within_its_budget(committed, image):
    size = committed.image_field(image.name, "size_bytes")
    assert size < image.budget_bytes, (
        f"{image.name} is {figure_text.megabytes(size)} ({size} bytes), over its budget of "
        f"{figure_text.megabytes(image.budget_bytes)} (src/papertrade_docs/measure/images.py)"
    )


def test_the_data_file_is_published_with_the_site():
    # Under docs/, so mkdocs copies it next to the pages that quote it.
    assert DATA_FILE.parts[0] == "docs"


def test_the_installer_comparison_is_committed_for_the_lock_the_images_install(committed):
    # A dated, one-off comparison (`make measure-installers`): the page quotes it with its
    # date, so it is not re-measured on every change, but it must be there and name the
    # production image's lock.
    lock = committed.installers()["lock"]
    assert lock["file"] == "docker/backend/requirements.txt"
    assert (ROOT / lock["file"]).is_file()
    assert "kernel" not in committed.installers()["measured"]["machine"]
