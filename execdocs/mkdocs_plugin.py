"""MkDocs plugin `execdocs`: readers see code blocks, never the test machinery.

- Every fence keeps its language and display options but loses its test options
  (`test`, `reason`, `wait`, ...), so it still renders as a highlighted code block;
  `file="path"` becomes `title="path"`, which pymdownx.highlight shows as the title.
- `<!-- execdocs ... -->` hidden blocks are removed entirely.
- `conditions:` (name -> shell probe) is where a project defines what `requires=` means.

The page's own text is cleaned in `on_page_markdown`, after mkdocs-macros (which may
write fences); text included with `--8<--` only arrives later, inside Markdown, so a
preprocessor running right after pymdownx.snippets cleans that the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from execdocs.fences import find_fences
from execdocs.model import InvalidPage, Origin
from execdocs.options import reader_info
from execdocs.render import split_front_matter

# After every plugin at the default priority (mkdocs-macros among them).
AFTER_MACROS = -50
# Python-Markdown preprocessors: pymdownx.snippets is at 32, superfences' raw blocks at
# 31.05 and its fences at 25; run between them.
AFTER_SNIPPETS = 31.5


def reader_lines(lines: Sequence[str], origins: Sequence[Origin]) -> list[str]:
    """`lines` as readers get them: test options stripped, hidden blocks removed."""
    out = list(lines)
    hidden: set[int] = set()
    for fence in find_fences(lines, origins):
        if fence.comment is not None:
            hidden.update(range(fence.comment[0], fence.comment[1] + 1))
            continue
        line = out[fence.open_line]
        at = line.index(fence.marker) + len(fence.marker)
        info_at = line.index(fence.info, at) if fence.info else at
        cleaned = reader_info(fence.info)
        out[fence.open_line] = line[:info_at] + cleaned + line[info_at + len(fence.info) :]
    return [line for k, line in enumerate(out) if k not in hidden]


def _strip(text: str, source: Path | str, first_line: int = 1) -> str:
    lines = text.split("\n")
    origins = [Origin(Path(source), first_line + k) for k in range(len(lines))]
    try:
        return "\n".join(reader_lines(lines, origins))
    except InvalidPage as error:
        raise PluginError(f"execdocs: {error}") from None


class ExecdocsConfig(Config):
    conditions = config_options.Type(dict, default={})


class ExecdocsPlugin(BasePlugin[ExecdocsConfig]):
    def on_config(self, config):
        config.markdown_extensions.append(_ReaderExtension())
        return config

    @event_priority(AFTER_MACROS)
    def on_page_markdown(self, markdown, page, config, files):
        source = Path(page.file.abs_src_path or page.file.src_uri)
        root = Path(config.config_file_path or ".").parent
        if source.is_relative_to(root):
            source = source.relative_to(root)
        # Lines are counted from the source file's first line (macros may shift them).
        first_line = 1 + split_front_matter(page.file.content_string)[2]
        return _strip(markdown, source, first_line)


class _ReaderPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return _strip("\n".join(lines), "(included text)").split("\n")


class _ReaderExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_ReaderPreprocessor(md), "execdocs-reader", AFTER_SNIPPETS)
