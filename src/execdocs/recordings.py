"""Recorded output: what every console command of a page printed the last time the page
was recorded, and how that run went, for the site to show in place of the patterns the
matcher reads (`...`, ` (re)`).

The recordings are one JSON file (the `recordings` option of the Markdown extension in
mkdocs.yml), written by a run with `--record` (`python -m execdocs run --record`, or
`pytest --execdocs --execdocs-record`) and read by the Markdown extension when the site
is built, with or without Docker. A run of some pages replaces those pages' entries and
keeps the others.

A block is found again from the page source by its key: its position among the page's
fenced blocks (hidden ones included, as the runner counts them) and a hash of its
language, options and text (as the reader's view has it: macros rendered). A block that
changed, or that moved because a block was added or removed above it, has no
recording: it is stale until the page is recorded again.

What a command printed is recorded as the matcher compared it (escapes removed,
overwrites applied, trailing blanks dropped, an isolated page's names the reader's),
with secrets masked (`mask`), because the file is published with the site.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from execdocs.atomic import write_atomically
from execdocs.docker_engine import Engine, EngineError, engine_api
from execdocs.matcher import is_wildcard_line
from execdocs.model import Block, Page
from execdocs.results import PageResult

FORMAT = 1
MASK = "********"
OPTION = "recordings"  # the Markdown extension's option naming the file

# --- secrets ---------------------------------------------------------------------------

# A variable whose name ends in PASSWORD, PASSWD, SECRET, TOKEN or KEY (as a whole word
# of the name: SECRET_KEY, API_KEY, REDIS_PASSWORD; not MONKEY), in any case.
_SECRET_NAME = r"(?:[A-Za-z0-9]+[_.-])*(?:PASSWORD|PASSWD|SECRET|TOKEN|KEY)"
_VALUE = r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"',;]+)"
# NAME=value anywhere in a line (an env file, `env`, `docker inspect`'s Env list).
_ASSIGNED = re.compile(rf"(?<![\w.-])(?P<name>{_SECRET_NAME})=" + _VALUE, re.IGNORECASE)
# NAME: value as a whole line (YAML, `docker compose config`), not `NAME: some message`.
_KEYED = re.compile(rf"^(?P<lead>\s*-?\s*[\"']?)(?P<name>{_SECRET_NAME})[\"']?:\s+{_VALUE}\s*$",
                    re.IGNORECASE)
# Generated values on their own: hexadecimal runs of 32 digits or more (but exactly 64:
# the IDs and sha256 digests Docker prints; nor after `:` or `@`, a digest), and
# base64-like runs of 32 characters or more with at least 3 capitals, 3 small letters
# and 3 digits (a word, a path or a name has not).
_HEX = re.compile(r"(?<![\w:@/.-])[0-9a-fA-F]{32,}(?![\w/-]|\.\w)")
_BASE64 = re.compile(r"(?<![\w+/:@.-])[A-Za-z0-9+_-]{32,}={0,2}(?![\w+/=-]|\.\w)")


def _kept(value: str) -> bool:
    """A value that is no secret: empty, a reference to one, a path, or masked already."""
    bare = value.strip("\"'")
    return not bare or bare[0] in "$/*<-" or bare == MASK


def mask(line: str) -> str:
    """`line` with secret values replaced by `MASK` (see the patterns above)."""
    def assigned(found: re.Match[str]) -> str:
        value = found["value"]
        return found[0] if _kept(value) else f"{found['name']}={_masked(value)}"

    keyed = _KEYED.match(line)
    if keyed and not _kept(keyed["value"]):
        start, end = keyed.span("value")
        line = line[:start] + _masked(keyed["value"]) + line[end:]
    line = _ASSIGNED.sub(assigned, line)
    line = _HEX.sub(lambda found: found[0] if len(found[0]) == 64 else MASK, line)
    return _BASE64.sub(lambda found: MASK if _random_looking(found[0]) else found[0], line)


def _masked(value: str) -> str:
    quote = value[0] if value[:1] in "\"'" and len(value) > 1 and value[-1] == value[0] else ""
    return f"{quote}{MASK}{quote}"


def _random_looking(text: str) -> bool:
    return (sum(c.isupper() for c in text) >= 3 and sum(c.islower() for c in text) >= 3
            and sum(c.isdigit() for c in text) >= 3)


# --- keys ------------------------------------------------------------------------------


def block_hash(lang: str, options: Mapping[str, str], body: str) -> str:
    """The hash that says a block is the one recorded: its language, options and text."""
    text = json.dumps([lang, sorted(options.items()), body], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def page_key(path: Path, root: Path) -> str:
    """A page's name in the file: its path from the project's root."""
    resolved = Path(path).resolve()
    root = root.resolve()
    return (resolved.relative_to(root) if resolved.is_relative_to(root) else resolved).as_posix()


def page_hashes(page: Page) -> list[str]:
    return [block_hash(block.lang, block.options, block.body) for block in page.blocks]


def sources_hash(root: Path, sources: str) -> str:
    """The hash of the files a screenshot shows (`sources="a b"`: files or folders from
    the project's root), so that a picture goes stale when they change. The files are
    those a page's copy holds (tracked, or untracked and not ignored, when `root` is a
    Git work tree): build output and dependencies beside them do not count."""
    digest = hashlib.sha256()
    for relative in sorted(sources.split()):
        files = _files_under(root, relative)
        if not files:
            raise FileNotFoundError(f'sources="{sources}" names {relative}, which holds no'
                                    " file in the project; name files or folders that exist")
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _files_under(root: Path, relative: str) -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard", "--", relative],
            capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        listed = None  # not a Git work tree: every file under the path
    if listed is not None:
        names = {name for name in listed.decode().split("\0") if name}
        return [root / name for name in sorted(names) if (root / name).is_file()]
    path = root / relative
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []


def has_pattern(expected: Sequence[str]) -> bool:
    """Whether a command's expected output is for the matcher (`...`, ` (re)`)."""
    return any(is_wildcard_line(line.rstrip()) for line in expected)


# --- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    """Where a run ran: the Docker engine's version and its platform."""

    engine: str
    platform: str

    @classmethod
    def of(cls, engine: Engine) -> Machine:
        here = f"{platform.system().lower()}/{platform.machine()}"
        if not engine.available:
            return cls("no Docker engine", here)
        try:
            with engine_api(engine.client) as api:
                server = api.version()
        except EngineError:
            return cls("Docker Engine (version unknown)", here)
        return cls(f"Docker Engine {server['Version']}", f"{server['Os']}/{server['Arch']}")


def page_record(page: Page, result: PageResult, machine: Machine,
                ran: float | None = None, root: Path | None = None) -> dict[str, Any]:
    """A page's entry: when and where it ran, how it went, and each block's key, status
    and, for console blocks, each command's output; for screenshot blocks, the pictures
    (base64, until `write` stores them as files) and the hash of their `sources`."""
    status = "skipped" if result.skipped else "passed" if result.passed else "failed"
    by_block = {id(block_result.block): block_result for block_result in result.blocks}
    blocks = []
    for index, block in enumerate(page.blocks):
        block_result = by_block.get(id(block))
        entry: dict[str, Any] = {
            "index": index, "line": block.origin.line, "kind": block.kind,
            "hash": block_hash(block.lang, block.options, block.body),
            "status": block_result.status if block_result else "not run",
        }
        if block.hidden:
            entry["hidden"] = True
        if block_result and block_result.reason:
            entry["reason"] = block_result.reason
        if block.kind == "console":
            entry["commands"] = [_command_record(block, index, c, result)
                                 for c in range(len(block.commands))]
        if index in result.screenshots:
            entry["screenshot"] = {scheme: base64.b64encode(png).decode()
                                   for scheme, png in result.screenshots[index].items()}
            if "sources" in block.options:
                entry["sources"] = sources_hash(root or Path.cwd(), block.options["sources"])
        blocks.append(entry)
    record: dict[str, Any] = {
        "ran": _iso(ran if ran is not None else time.time() - result.seconds),
        "engine": machine.engine, "platform": machine.platform,
        "result": status, "seconds": round(result.seconds, 1), "blocks": blocks,
    }
    if result.skipped:
        record["skipped"] = result.skipped
    return record


def _command_record(block: Block, index: int, c: int, result: PageResult) -> dict[str, Any]:
    command = block.commands[c]
    output = result.outputs.get((index, c))
    return {"expected_at": list(command.expected_at),
            "pattern": has_pattern(command.expected),
            "output": None if output is None else [mask(line) for line in output]}


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


SCREENSHOTS = "screenshots"  # the pictures' folder, beside the recordings file


def write(path: Path, records: Mapping[str, dict[str, Any]], root: Path) -> None:
    """Write `records` (page key -> entry) into the file at `path`, keeping the entries of
    other pages that still exist under `root` (the project's). Screenshots go into PNG
    files in the `screenshots` folder beside it, named by page, block and scheme; the
    entries name them, and pictures no entry names any more are removed."""
    pages: dict[str, Any] = {}
    if path.is_file():
        try:
            pages = {key: page for key, page in Recordings.load(path).pages.items()
                     if (root / key).is_file()}
        except RecordingsError:
            pages = {}  # unreadable: this run's pages are what there is
    pages.update({key: _pictures_stored(path.parent, key, record)
                  for key, record in records.items()})
    data = {"format": FORMAT,
            "about": "What every console command printed when the page was last run"
                     " (execdocs --record); read by the site's build.",
            "pages": {key: pages[key] for key in sorted(pages)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    _remove_unnamed_pictures(path.parent, pages)


def _pictures_stored(folder: Path, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """`record` with each screenshot's base64 pictures written to files, named instead."""
    blocks = []
    for block in record["blocks"]:
        pictures = block.get("screenshot")
        if pictures and not all(str(value).endswith(".png") for value in pictures.values()):
            named = {}
            for scheme, data in pictures.items():
                name = f"{SCREENSHOTS}/{_slug(key)}-{block['index']}-{scheme}.png"
                (folder / SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                write_atomically(folder / name, base64.b64decode(data))
                named[scheme] = name
            block = {**block, "screenshot": named}
        blocks.append(block)
    return {**record, "blocks": blocks}


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", key.removesuffix(".md")).strip("-")


def _remove_unnamed_pictures(folder: Path, pages: Mapping[str, Any]) -> None:
    named = {name for page in pages.values() for block in page["blocks"]
             for name in (block.get("screenshot") or {}).values()}
    pictures = folder / SCREENSHOTS
    if not pictures.is_dir():
        return
    for picture in pictures.glob("*.png"):
        if f"{SCREENSHOTS}/{picture.name}" not in named:
            os.unlink(picture)


# --- reading ---------------------------------------------------------------------------


class RecordingsError(ValueError):
    """The recordings file is there but not what a run writes."""


@dataclass(frozen=True)
class PageRecording:
    key: str
    data: Mapping[str, Any]
    folder: Path | None = None  # the recordings file's: screenshots are named from it

    @property
    def blocks(self) -> list[Mapping[str, Any]]:
        return self.data["blocks"]

    def block(self, index: int, hash_: str) -> Mapping[str, Any] | None:
        """The recorded block at `index`, if it has that hash (else: stale or missing)."""
        blocks = self.blocks
        if 0 <= index < len(blocks) and blocks[index].get("hash") == hash_:
            return blocks[index]
        return None

    def stale_screenshots(self, root: Path, options: Sequence[Mapping[str, str]]) -> list[str]:
        """Why the page's recorded screenshots no longer show what the project holds
        (none: they do): a picture file missing, or a block's `sources` changed since.
        `options` are the options of the page's blocks now, in order."""
        stale = []
        folder = self.folder
        for block in self.blocks:
            pictures = block.get("screenshot")
            if not pictures:
                continue
            where = f"{self.key}:{block.get('line')}"
            missing = [name for name in pictures.values()
                       if folder is not None and not (Path(folder) / name).is_file()]
            if missing:
                stale.append(f"{where}: the screenshot file {missing[0]} is missing")
            index = block["index"]
            sources = options[index].get("sources") if index < len(options) else None
            if sources and block.get("sources") != sources_hash(root, sources):
                stale.append(f"{where}: {sources} changed since the screenshot was taken")
        return stale

    def fresh(self, hashes: Sequence[str]) -> bool:
        """Whether the page's blocks are still the ones recorded, all of them, in order."""
        return [block.get("hash") for block in self.blocks] == list(hashes)

    def counts(self) -> tuple[int, int, list[str]]:
        """(blocks that ran and passed, blocks meant to run, skip reasons)."""
        runnable = [b for b in self.blocks if b.get("kind") != "shown"]
        passed = sum(b.get("status") == "passed" for b in runnable)
        reasons = [f"{self.key}:{b['line']}: {b['reason']}" for b in runnable
                   if b.get("status") == "skipped" and b.get("reason")]
        if self.data.get("skipped"):
            reasons = [f"{self.key}: {self.data['skipped']}"]
        return passed, len(runnable), reasons


@dataclass(frozen=True)
class Recordings:
    path: Path
    pages: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path) -> Recordings:
        """The file at `path`; an empty set when there is none."""
        if not path.is_file():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RecordingsError(f"{path}: not readable JSON ({error}); record the pages"
                                  " again, or delete the file") from None
        pages = data.get("pages") if isinstance(data, dict) else None
        if (not isinstance(data, dict) or data.get("format") != FORMAT
                or not isinstance(pages, dict)
                or not all(isinstance(p, dict) and isinstance(p.get("blocks"), list)
                           for p in pages.values())):
            raise RecordingsError(f"{path}: not a recordings file of format {FORMAT};"
                                  " record the pages again")
        return cls(path, pages)

    def page(self, key: str) -> PageRecording | None:
        data = self.pages.get(key)
        return PageRecording(key, data, self.path.parent) if data is not None else None

    def __iter__(self) -> Iterable[PageRecording]:
        return iter([PageRecording(key, data, self.path.parent)
                     for key, data in self.pages.items()])


def recordings_file(project_root: Path, configured: str | None) -> Path | None:
    """The recordings file named in mkdocs.yml (relative to the project's root)."""
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_absolute() else project_root / path
