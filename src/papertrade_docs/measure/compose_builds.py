"""How Compose builds each image: tag, context, Dockerfile and target, read from the
real Compose files so the measurement and the stack can never disagree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from papertrade_docs.measure.images import IMAGES, Image


@dataclass(frozen=True)
class ImageBuild:
    image: Image
    compose_file: Path
    tag: str
    context: Path
    dockerfile: Path
    target: str | None


class ComposeFileError(ValueError):
    """A Compose file that does not define what the measurement needs."""


# `${NAME:-default}` and `${NAME-default}`: what Compose makes of them when NAME is unset.
_DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def with_defaults(text: str) -> str:
    """`text` as Compose reads it with no variable set (papertrade/backend:${APP_TAG:-prod}
    is papertrade/backend:prod): the tag the measurement builds and inspects."""
    return _DEFAULTED.sub(lambda found: found.group(1), text)


def image_builds(docker_dir: Path) -> list[ImageBuild]:
    return [image_build(docker_dir, image) for image in IMAGES]


def image_build(docker_dir: Path, image: Image) -> ImageBuild:
    compose_path = docker_dir / image.compose_file
    where = f"{compose_path} services.{image.service}"
    if not compose_path.is_file():
        raise ComposeFileError(f"{compose_path} is missing: the stack defines {image.name} there")
    document = yaml.safe_load(compose_path.read_text(encoding="utf-8")) or {}
    service = (document.get("services") or {}).get(image.service)
    if not isinstance(service, dict):
        raise ComposeFileError(f"{where}: no such service (it builds {image.name})")
    tag = service.get("image")
    build = service.get("build")
    if not isinstance(tag, str) or build is None:
        raise ComposeFileError(f"{where}: needs both `image:` and `build:` to measure {image.name}")
    tag = with_defaults(tag)
    if isinstance(build, str):
        build = {"context": build}
    context = (compose_path.parent / build.get("context", ".")).resolve()
    dockerfile = (context / build.get("dockerfile", "Dockerfile")).resolve()
    return ImageBuild(image, compose_path, tag, context, dockerfile, build.get("target"))
