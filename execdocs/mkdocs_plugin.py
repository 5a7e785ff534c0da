"""MkDocs plugin: hide test options and hidden blocks from readers."""

from mkdocs.plugins import BasePlugin


class ExecdocsPlugin(BasePlugin):
    pass
