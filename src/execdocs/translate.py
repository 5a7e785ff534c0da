"""Names and ports in an isolated page: what the reader writes and sees, and what the
engine really holds for the page.

A Compose project the reader calls `papertrade` is run as a name of the same length
(`pa7k2m9x4q`), unique to the page, so that it never meets a contributor's own stack or
another run's; its published port `127.0.0.1:8000` is really, say, `127.0.0.1:2345`
(same number of digits, so tables keep their columns), reached from the page's own
network namespace through `forwarder`. Commands are translated on the way in, output on
the way out, so the page reads and matches exactly what a reader would.

Standard library only: the guard imports it in a Python started with `-I -S`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import re
import string
from collections.abc import Iterator

_ALPHABET = string.ascii_lowercase + string.digits
_SHORTEST = 4  # fewer random characters would not keep the name apart from others'


def mapped_name(reader: str, taken: set[str]) -> str:
    """A fresh project name as long as `reader` (longer when `reader` is short), with
    the first letter kept so that sorting by name keeps the reader's order."""
    keep = reader[:1] if len(reader) > _SHORTEST else ""
    size = max(len(reader) - len(keep), _SHORTEST)
    while True:
        candidate = keep + "".join(random.choice(_ALPHABET) for _ in range(size))
        if candidate != reader and candidate not in taken and candidate[0].isalnum():
            return candidate


class Names:
    """A page's reader -> engine map (project names, image namespaces, image references),
    kept in a JSON file in the page directory: guards of one page may run at once
    (background and foreground), so every change is made under a lock."""

    def __init__(self, path: str):
        self.path = path

    def load(self) -> dict[str, str]:
        try:
            with open(self.path) as file:
                return json.load(file)
        except (OSError, ValueError):
            return {}

    def engine_name(self, reader: str) -> str:
        """The engine's name for `reader`, made on first use."""
        with self._locked() as names:
            if reader in names.values():
                return reader  # already an engine name (a translated argument)
            if reader not in names:
                names[reader] = mapped_name(reader, set(names.values()))
            return names[reader]

    def record(self, reader: str, engine: str) -> None:
        with self._locked() as names:
            names[reader] = engine

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, str]]:
        """The map, to change in place; written back (atomically) when it changed."""
        with open(f"{self.path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            names = self.load()
            before = dict(names)
            yield names
            if names != before:
                partial = f"{self.path}.partial"
                with open(partial, "w") as file:
                    json.dump(names, file)
                os.replace(partial, self.path)


def load_ports(path: str) -> list[dict]:
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return []


def _word(name: str) -> str:
    # A project name as a word of its own: not inside another name, a path or an image
    # reference (`papertrade/backend:dev` is an image, not the project).
    return rf"(?<![\w./-]){re.escape(name)}(?=$|[-_](?=[\w])|[^\w/.:-])"


def arguments_in(args: list[str], names: dict[str, str], ports: list[dict] = (),
                 images: dict[str, str] | None = None) -> list[str]:
    """The reader's project names in `args` replaced by the engine's, the images the page
    built (`papertrade/backend:dev`, reader -> engine reference) by the page's own, and the reader's
    ports in a `publish=PORT` filter by the host ports standing for them."""
    if names:
        pattern = re.compile("|".join(_word(reader) for reader in
                                      sorted(names, key=len, reverse=True)))
        args = [pattern.sub(lambda found: names[found.group()], arg) for arg in args]
    if images:
        # Whole references only (`papertrade/backend:dev`; without a tag, `:latest`):
        # an image the page did not build keeps its name, whatever its namespace.
        wanted = dict(images)
        wanted.update({reader.removesuffix(":latest"): engine.removesuffix(":latest")
                       for reader, engine in images.items() if reader.endswith(":latest")})
        pattern = re.compile("|".join(rf"(?<![\w./:@-]){re.escape(reader)}(?![\w./:@-])"
                                      for reader in sorted(wanted, key=len, reverse=True)))
        args = [pattern.sub(lambda found: wanted[found.group()], arg) for arg in args]
    host_ports = {str(p["port"]): str(p["host_port"]) for p in ports}
    if host_ports:
        published = re.compile(r"^(publish=)(\d+)\b")
        args = [published.sub(lambda found: found.group(1) + host_ports.get(
            found.group(2), found.group(2)), arg) for arg in args]
        args = [registry_ports(arg, ports) for arg in args]
    return args


_LOOPBACK_REGISTRY = re.compile(r"(?<![\w.:/-])(127\.0\.0\.1|localhost):(\d+)(?=/[\w])")


def registry_ports(text: str, ports: list[dict]) -> str:
    """Image references in a registry the page published on the loopback
    (`127.0.0.1:5000/papertrade/backend:2`) with the host port standing for it: the engine
    pushes and pulls from the host's loopback, where the page's port is another."""
    host_ports = {str(p["port"]): str(p["host_port"]) for p in ports}
    return _LOOPBACK_REGISTRY.sub(
        lambda found: f"{found.group(1)}:{host_ports.get(found.group(2), found.group(2))}",
        text)


class OutputTranslator:
    """Engine names and ports in output, written back as the reader's."""

    def __init__(self, names: dict[str, str], ports: list[dict],
                 images: dict[str, str] | None = None):
        # Reader -> engine maps turned round: a project and an image namespace may share
        # the reader's word (`papertrade`) but never an engine's.
        self.names = {engine: reader for mapping in (names, images or {})
                      for reader, engine in mapping.items()}
        self.ports = {str(p["host_port"]): str(p["port"]) for p in ports}
        parts = []
        if self.names:
            parts.append("(?P<name>" + "|".join(re.escape(n) for n in self.names) + ")")
        if self.ports:
            numbers = "|".join(re.escape(n) for n in self.ports)
            # host:port, "HostPort": "port", published: "port" (Compose's config output)
            parts.append(rf"(?P<address>(?:(?:\d{{1,3}}\.){{3}}\d{{1,3}}|\[[0-9a-fA-F:]*\]|::|"
                         rf"localhost):)(?P<port>{numbers})\b")
            parts.append(rf"(?P<key>\"?(?:HostPort|published)\"?\s*:\s*\"?)(?P<value>{numbers})\b")
        self.pattern = re.compile("|".join(parts).encode()) if parts else None

    def __call__(self, data: bytes) -> bytes:
        if self.pattern is None:
            return data
        return self.pattern.sub(self._replace, data)

    def _replace(self, found: re.Match[bytes]) -> bytes:
        if found.group("name") if self.names else None:
            return self.names[found.group("name").decode()].encode()
        if self.ports and found.group("port"):
            return found.group("address") + self.ports[found.group("port").decode()].encode()
        return found.group("key") + self.ports[found.group("value").decode()].encode()
