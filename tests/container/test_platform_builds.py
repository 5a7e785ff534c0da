"""`make test-arm64` rebuilds its images under its own names; the image a rebuild untags
is its own and goes, unless another name still holds it."""

from __future__ import annotations

import io
import subprocess
import uuid

import pytest
from stack_support import one_file_image

from papertrade_docs.measure.docker_cli import inspect_image
from papertrade_docs.measure.platform_builds import _remove_replaced
from papertrade_docs.measure.progress import Progress

pytestmark = pytest.mark.container


def imported(tag: str, content: bytes) -> str:
    one_file_image(content, tag)
    return inspect_image(tag)["Id"]


def exists(reference: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", reference],
                          capture_output=True).returncode == 0


@pytest.fixture
def tag():
    name = f"platform-builds-test/{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["docker", "image", "rm", "-f", name, f"{name}-other"], capture_output=True)


def test_the_image_a_rebuild_untagged_is_removed(tag):
    old = imported(tag, b"one")
    new = imported(tag, b"two")  # the tag moves, the old image is left untagged
    assert old != new and exists(old)
    _remove_replaced(old, tag, Progress())
    assert not exists(old)
    assert inspect_image(tag)["Id"] == new


def test_an_image_another_name_still_holds_is_kept(tag):
    old = imported(tag, b"one")
    subprocess.run(["docker", "tag", tag, f"{tag}-other"], check=True)
    imported(tag, b"two")
    said = io.StringIO()
    _remove_replaced(old, tag, Progress(stream=said))
    assert exists(f"{tag}-other") and inspect_image(f"{tag}-other")["Id"] == old
    assert "kept the image it replaced" in said.getvalue()
    subprocess.run(["docker", "image", "rm", old], capture_output=True)
