"""What each image is built from is read from the Compose files themselves."""

from __future__ import annotations

import pytest

from papertrade_docs.measure.compose_builds import ComposeFileError, image_build
from papertrade_docs.measure.images import image


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return tmp_path


def test_a_build_mapping_gives_context_dockerfile_and_target(tmp_path):
    write(
        tmp_path,
        "compose.prod.yaml",
        "services:\n  backend:\n    image: papertrade/backend:prod\n"
        "    build: {context: ./backend, target: prod, dockerfile: Prod.Dockerfile}\n",
    )
    build = image_build(tmp_path, image("backend-prod"))
    assert build.tag == "papertrade/backend:prod"
    assert build.context == (tmp_path / "backend").resolve()
    assert build.dockerfile == (tmp_path / "backend" / "Prod.Dockerfile").resolve()
    assert build.target == "prod"
    assert build.compose_file == tmp_path / "compose.prod.yaml"


def test_a_build_string_is_the_context(tmp_path):
    write(
        tmp_path, "compose.yaml", "services:\n  db:\n    image: papertrade/db:17\n    build: ./db\n"
    )
    build = image_build(tmp_path, image("db"))
    assert build.dockerfile == (tmp_path / "db" / "Dockerfile").resolve()
    assert build.target is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services: {}\n", r"compose\.yaml services\.db: no such service \(it builds db\)"),
        (
            "services:\n  db:\n    image: papertrade/db:17\n",
            r"services\.db: needs both `image:` and `build:` to measure db",
        ),
    ],
)
def test_a_service_that_cannot_be_measured_is_named(tmp_path, text, message):
    write(tmp_path, "compose.yaml", text)
    with pytest.raises(ComposeFileError, match=message):
        image_build(tmp_path, image("db"))


def test_a_missing_compose_file_is_named(tmp_path):
    with pytest.raises(ComposeFileError, match=r"compose\.prod\.yaml is missing"):
        image_build(tmp_path, image("frontend-prod"))
