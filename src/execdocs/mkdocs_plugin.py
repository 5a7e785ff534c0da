"""MkDocs plugin `execdocs`: what only MkDocs needs.

The cleaning itself (test options out of every fence, `file="path"` as the title,
hidden blocks removed) is the Python-Markdown extension `execdocs.markdown_extension`,
which Zensical runs too. Under MkDocs this plugin
- adds that extension when mkdocs.yml does not list it,
- hands it the site's Markdown (its `markdown_extensions`, to find fences as the site
  does) and the page being rendered (so that a problem is reported at the source
  `file:line`, counted from the file's first line, front matter included), and has a
  refused page fail the build as MkDocs' own errors do;
- holds `conditions:` (name -> shell probe), where a project defines what `requires=`
  means (read by the runner from mkdocs.yml).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from execdocs.markdown_extension import NAME, PageSource, ReaderContext, reader_lines
from execdocs.render import split_front_matter
from execdocs.site_markdown import SiteMarkdown

__all__ = ["ExecdocsPlugin", "reader_lines"]

# After every plugin at the default priority (mkdocs-macros among them); before any
# that renders Markdown again in on_page_content (the blog's excerpts).
LAST = -100
FIRST = 100


class ExecdocsConfig(Config):
    conditions = config_options.Type(dict, default={})


class ExecdocsPlugin(BasePlugin[ExecdocsConfig]):
    context: ReaderContext | None = None

    def on_config(self, config):
        self.context = ReaderContext(SiteMarkdown.of_mkdocs_config(config), error=PluginError,
                                     root=Path(config.config_file_path or ".").parent)
        if NAME not in config.markdown_extensions:
            config.markdown_extensions.append(NAME)
        config.mdx_configs[NAME] = {**config.mdx_configs.get(NAME, {}), "context": self.context}
        return config

    @event_priority(LAST)
    def on_page_markdown(self, markdown, page, config, files):
        source = Path(page.file.abs_src_path or page.file.src_uri)
        root = Path(config.config_file_path or ".").parent
        if source.is_relative_to(root):
            source = source.relative_to(root)
        # Lines are counted from the source file's first line (macros may shift them).
        first_line = 1 + split_front_matter(page.file.content_string)[2]
        self.context.page = PageSource(source, first_line)
        return markdown

    @event_priority(FIRST)
    def on_page_content(self, html, page, config, files):
        self.context.page = None  # Markdown rendered from now on is not this page's
        return html
