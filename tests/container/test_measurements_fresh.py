"""A fresh build of every image agrees with the committed sizes within 10%.

Runs wherever the container tests run (CI included): the images are built with the
stack's own Compose files, from a copy of docker/, with the build cache (sizes do not
depend on it), under names of the test's own (removed afterwards, so a contributor's
`papertrade/...` images keep their tags). A miss means the images changed without
`make measure`, or that Debian's packages moved far enough that the figures should be
measured again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import Project, copy_docker_dir, docker, production_env_file

from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import DATA_FILE, load

pytestmark = pytest.mark.container

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.10


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """Each image's size in bytes, as `docker image inspect` reports it."""
    copy = copy_docker_dir(tmp_path_factory.mktemp("fresh"))
    env_file = production_env_file(copy, {"HTTP_PORT": "8080"})
    projects = {}
    for image in IMAGES:
        if image.compose_file not in projects:
            production = image.compose_file == "compose.prod.yaml"
            project = Project(copy, image.compose_file, env_file=env_file if production else None)
            project.name_own_images()
            projects[image.compose_file] = project
    try:
        sizes = {}
        for image in IMAGES:
            project = projects[image.compose_file]
            project.run("build", image.service)
            tag = project.own_images[image.service]
            sizes[image.name] = int(json.loads(docker("image", "inspect", tag))[0]["Size"])
        yield sizes
    finally:
        for project in projects.values():
            project.remove_own_images()


@pytest.mark.parametrize("image", IMAGES, ids=[image.name for image in IMAGES])
def test_a_fresh_build_agrees_with_the_committed_size(fresh, image):
    committed = load(ROOT / DATA_FILE).image_field(image.name, "size_bytes")
    measured = fresh[image.name]
    assert abs(measured - committed) <= TOLERANCE * committed, (
        f"{image.name} builds to {figure_text.megabytes(measured)} ({measured} bytes) but "
        f"{DATA_FILE} says {figure_text.megabytes(committed)} ({committed} bytes), more than "
        f"{TOLERANCE:.0%} apart: run `make measure`"
    )
