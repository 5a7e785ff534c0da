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

from execdocs.fences import info_span, read_fences
from execdocs.model import InvalidPage, Origin
from execdocs.options import reader_info
from execdocs.render import split_front_matter
from execdocs.site_markdown import SiteMarkdown

# After every plugin at the default priority (mkdocs-macros among them).
AFTER_MACROS = -50
# Python-Markdown preprocessors: pymdownx.snippets is at 32, superfences' raw blocks at
# 31.05 and its fences at 25; run between them.
AFTER_SNIPPETS = 31.5


def reader_lines(
    lines: Sequence[str], origins: Sequence[Origin], markdown: SiteMarkdown | None = None
) -> list[str]:
    """`lines` as readers get them: test options stripped, hidden blocks removed.

    Every line the site reads as opening a fence is cleaned, shown or not (one in an
    indented code block too): the site then finds the very fences the runner found."""
    page = read_fences(lines, origins, markdown)
    if page.problems:
        raise InvalidPage.several(page.problems)
    out = list(lines)
    for k in page.openers:
        start, end = info_span(out[k])
        out[k] = out[k][:start] + reader_info(out[k][start:end]) + out[k][end:]
    hidden = {k for first, last in page.comments for k in range(first, last + 1)}
    return [line for k, line in enumerate(out) if k not in hidden]


def _strip(
    text: str, source: Path | str, first_line: int = 1, markdown: SiteMarkdown | None = None
) -> str:
    lines = text.split("\n")
    origins = [Origin(Path(source), first_line + k) for k in range(len(lines))]
    try:
        return "\n".join(reader_lines(lines, origins, markdown))
    except InvalidPage as error:
        raise PluginError(f"execdocs: {error}") from None


class ExecdocsConfig(Config):
    conditions = config_options.Type(dict, default={})


class ExecdocsPlugin(BasePlugin[ExecdocsConfig]):
    markdown: SiteMarkdown | None = None  # the site's Markdown, to find fences as it does

    def on_config(self, config):
        self.markdown = SiteMarkdown.of_mkdocs_config(config)
        config.markdown_extensions.append(_ReaderExtension(self))
        return config

    @event_priority(AFTER_MACROS)
    def on_page_markdown(self, markdown, page, config, files):
        source = Path(page.file.abs_src_path or page.file.src_uri)
        root = Path(config.config_file_path or ".").parent
        if source.is_relative_to(root):
            source = source.relative_to(root)
        # Lines are counted from the source file's first line (macros may shift them).
        first_line = 1 + split_front_matter(page.file.content_string)[2]
        return _strip(markdown, source, first_line, self.markdown)


class _ReaderPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, plugin: ExecdocsPlugin):
        super().__init__(md)
        self.plugin = plugin

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return _strip(text, "(included text)", markdown=self.plugin.markdown).split("\n")


class _ReaderExtension(Extension):
    def __init__(self, plugin: ExecdocsPlugin):
        super().__init__()
        self.plugin = plugin

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        reader = _ReaderPreprocessor(md, self.plugin)
        md.preprocessors.register(reader, "execdocs-reader", AFTER_SNIPPETS)
