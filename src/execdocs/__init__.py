"""execdocs: run the shell, console and file blocks of Markdown pages, as the built
site shows them, against real containers.

What a project using the runner imports comes from here (`__all__`); the modules behind
it are loaded when first used, so that `python -m execdocs.guard`, which every `docker`
command of a page goes through, starts no slower for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from execdocs import sandbox
    from execdocs.atomic import write_atomically
    from execdocs.collect import load_page
    from execdocs.config import Project
    from execdocs.docker_engine import EngineError, docker_client, engine_api
    from execdocs.fences import Fence, find_fences
    from execdocs.matcher import match
    from execdocs.model import Block, Command, InvalidPage, Origin, Page
    from execdocs.options import SHELL_LANGUAGES, is_shell_language
    from execdocs.recordings import Recordings, RecordingsError
    from execdocs.results import Failure, PageResult
    from execdocs.runner import Runner
    from execdocs.transcript import parse_transcript

_HOMES = {
    "Block": "execdocs.model",
    "Command": "execdocs.model",
    "EngineError": "execdocs.docker_engine",
    "Failure": "execdocs.results",
    "Fence": "execdocs.fences",
    "InvalidPage": "execdocs.model",
    "Origin": "execdocs.model",
    "Page": "execdocs.model",
    "PageResult": "execdocs.results",
    "Project": "execdocs.config",
    "Recordings": "execdocs.recordings",
    "RecordingsError": "execdocs.recordings",
    "Runner": "execdocs.runner",
    "SHELL_LANGUAGES": "execdocs.options",
    "docker_client": "execdocs.docker_engine",
    "engine_api": "execdocs.docker_engine",
    "find_fences": "execdocs.fences",
    "is_shell_language": "execdocs.options",
    "load_page": "execdocs.collect",
    "match": "execdocs.matcher",
    "parse_transcript": "execdocs.transcript",
    "write_atomically": "execdocs.atomic",
}

__all__ = [
    "SHELL_LANGUAGES",
    "Block",
    "Command",
    "EngineError",
    "Failure",
    "Fence",
    "InvalidPage",
    "Origin",
    "Page",
    "PageResult",
    "Project",
    "Recordings",
    "RecordingsError",
    "Runner",
    "docker_client",
    "engine_api",
    "find_fences",
    "is_shell_language",
    "load_page",
    "match",
    "parse_transcript",
    "sandbox",
    "write_atomically",
]


def __getattr__(name: str) -> Any:
    if name == "sandbox":
        return importlib.import_module("execdocs.sandbox")
    if name not in _HOMES:
        raise AttributeError(f"module 'execdocs' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
