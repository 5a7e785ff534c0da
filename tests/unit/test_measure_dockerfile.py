"""Which image a target is built from, read from the Dockerfile's stages."""

from __future__ import annotations

import pytest

from papertrade_docs.measure.dockerfile import (
    DockerfileError,
    base_image,
    external_images,
    parse,
)

MULTI_STAGE = """
# syntax=docker/dockerfile:1
ARG BASE=debian:trixie-slim
FROM ${BASE} AS base
RUN true
FROM base AS builder
RUN pip install \\
      fastapi
FROM base as dev
COPY --from=builder /venv /venv
from scratch AS prod
COPY --from=builder /venv /venv
COPY --from=busybox:stable /bin/busybox /bin/
"""


def test_a_target_resolves_through_its_stages_to_the_outside_image():
    stages = parse(MULTI_STAGE)
    assert base_image(stages, "dev") == "debian:trixie-slim"
    assert base_image(stages, "builder") == "debian:trixie-slim"


def test_scratch_is_reported_as_it_is():
    assert base_image(parse(MULTI_STAGE), "prod") == "scratch"


def test_without_a_target_the_last_stage_counts():
    assert base_image(parse(MULTI_STAGE), None) == "scratch"


def test_external_images_follow_copy_from():
    stages = parse(MULTI_STAGE)
    assert external_images(stages, "prod") == ["busybox:stable", "debian:trixie-slim"]
    assert external_images(stages, "dev") == ["debian:trixie-slim"]


def test_a_platform_flag_is_not_the_image():
    stages = parse("FROM --platform=$BUILDPLATFORM debian:trixie-slim AS build\n")
    assert base_image(stages, "build") == "debian:trixie-slim"


def test_an_unknown_target_names_the_stages_there_are():
    with pytest.raises(DockerfileError, match=r"no stage named 'test' \(stages: base, builder"):
        base_image(parse(MULTI_STAGE), "test")


def test_a_file_without_from_is_refused():
    with pytest.raises(DockerfileError, match="no FROM instruction"):
        parse("RUN true\n")
