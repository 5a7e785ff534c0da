"""Expand `--8<--` snippet includes as pymdownx.snippets does, keeping line origins.

pymdownx.snippets' own preprocessor is configured from the project's options and used
to resolve paths and select line ranges and sections, so includes resolve exactly as
on the site; the walk over the lines is done here so that every included line keeps the
snippet file's own `file:line`. Like the site, includes are expanded everywhere, inside
fence bodies too. An include that cannot be found is an `InvalidPage` at the including
line (on the site, `check_paths` decides whether that fails the build; a page the
runner executes must not silently lose lines).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import markdown
from pymdownx.snippets import SnippetMissingError, SnippetPreprocessor

from execdocs.model import InvalidPage, Origin

EXTENSION = "pymdownx.snippets"
_MAX_DEPTH = 50


class SourceLine(str):
    """A line of text that remembers where it came from."""

    origin: Origin

    def __new__(cls, text: str, origin: Origin) -> SourceLine:
        line = super().__new__(cls, text)
        line.origin = origin
        return line


def snippet_preprocessor(options: dict[str, Any], root: Path) -> SnippetPreprocessor:
    """pymdownx.snippets configured with `options`, relative paths taken from `root`.

    MkDocs runs from the project root, so the site resolves `base_path` from there.
    """
    options = dict(options)
    base = options.get("base_path", ["."])
    base = [base] if isinstance(base, str | os.PathLike) else list(base)
    options["base_path"] = [str(root / b) for b in base]
    md = markdown.Markdown(extensions=[EXTENSION], extension_configs={EXTENSION: options})
    return md.preprocessors["snippet"]


def expand(
    lines: Sequence[str], origins: Sequence[Origin], preprocessor: SnippetPreprocessor
) -> tuple[list[str], list[Origin]]:
    """`lines` with every include replaced by the included text, and each line's origin."""
    preprocessor.seen = set()
    preprocessor.bases = None
    preprocessor.failed = set()
    source = [SourceLine(line, origin) for line, origin in zip(lines, origins, strict=True)]
    expanded = _Expander(preprocessor).lines(source, None, is_section=False, depth=0)
    return [str(line) for line in expanded], [line.origin for line in expanded]


class _Expander:
    """pymdownx.snippets' `parse_snippets` walk, with origins kept for every line."""

    def __init__(self, preprocessor: SnippetPreprocessor):
        self.pre = preprocessor

    def lines(
        self, lines: list[SourceLine], file_name: str | None, is_section: bool, depth: int
    ) -> list[SourceLine]:
        pre = self.pre
        if file_name:
            pre.seen.add(file_name)
        out: list[SourceLine] = []
        block = False
        for line in lines:
            found = pre.RE_ALL_SNIPPETS.match(line)
            inline = False
            if found:
                if found.group("escape"):
                    out.append(SourceLine(line.replace(";", "", 1), line.origin))
                    continue
                if block and found.group("inline_marker"):
                    continue  # as pymdownx: no inline include directly inside a block
                if found.group("inline_marker"):
                    inline = True
                else:
                    block = not block
                    continue
            elif not block:
                if not is_section:
                    section = pre.match_section(line)
                    if section and section.group("escape"):
                        text = (
                            section.group("pre")
                            + section.group("escape").replace(";", "", 1)
                            + section.group("inline_marker")
                            + section.group("section")
                            + section.group("post")
                        )
                        line, section = SourceLine(text, line.origin), None
                    if section is not None:
                        continue  # a section marker is not content
                out.append(line)
                continue
            if block and not inline:
                found = pre.RE_SNIPPET.match(line)
            space = found.group("space").expandtabs(pre.tab_length)
            path = found.group("snippet")
            path = path[1:-1].strip() if inline else path.strip()
            if not inline and not path:
                out.append(SourceLine("", line.origin))
                continue
            if path.startswith(";"):
                continue  # commented out
            out += [
                SourceLine(space + text, text.origin)
                for text in self.include(path, line.origin, depth)
            ]
        if file_name:
            pre.seen.remove(file_name)
        return out

    def include(self, spec: str, origin: Origin, depth: int) -> list[SourceLine]:
        pre = self.pre
        target = pre.parse_snippet_target(spec)
        if target is None:
            raise InvalidPage(origin, f'include {spec!r} names no file; write --8<-- "path"')
        path = target["path"]
        if path.lower().startswith(("https://", "http://")):
            raise InvalidPage(origin, f"include {path!r} is a URL; include a file of the project")
        found = pre.get_snippet_path(path)
        if not found:
            bases = ", ".join(pre.base_path)
            raise InvalidPage(
                origin, f"included file {path!r} does not exist in {bases}; fix the path"
            )
        if found in pre.seen or depth >= _MAX_DEPTH:
            return []  # as pymdownx: an include cycle is cut
        file = _shown_path(Path(found))
        text = file.read_text(encoding=pre.encoding)
        raw = text.split("\n") if text else []
        numbered = [SourceLine(line, Origin(file, k + 1)) for k, line in enumerate(raw)]
        dedent, pre.dedent_subsections = pre.dedent_subsections, False
        try:
            selected = pre.select_snippet_lines(numbered, {**target, "snippet": found})
        except SnippetMissingError as error:
            raise InvalidPage(origin, f"{error}; fix the include or the snippet file") from None
        finally:
            pre.dedent_subsections = dedent
        selected = _keep_origins(selected, file)
        if dedent and (target["section"] or target["start"]):
            dedented = pre.dedent(selected)
            selected = [SourceLine(t, s.origin) for t, s in zip(dedented, selected, strict=True)]
        return self.lines(selected, found, target["section"] is not None, depth + 1)


def _shown_path(file: Path) -> Path:
    """The snippet's path as failures show it: relative to where the run started, if
    it lies below it."""
    file = file.resolve()
    here = Path.cwd()
    return file.relative_to(here) if file.is_relative_to(here) else file


def _keep_origins(selected: list[str], file: Path) -> list[SourceLine]:
    """Selected lines with their origins; where pymdownx rewrote a line (an escaped
    section marker) the origin is the line after the previous one."""
    out: list[SourceLine] = []
    for line in selected:
        if not isinstance(line, SourceLine):
            after = out[-1].origin.line + 1 if out else 1
            line = SourceLine(line, Origin(file, after))
        out.append(line)
    return out
