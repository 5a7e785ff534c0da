"""A tiny MkDocs project in a temporary directory, for the parsing-side tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

# mkdocs-macros module of the test projects: a variable, a one-line and a many-line macro.
MACROS = """
def define_env(env):
    env.variables["version"] = "17.2"

    @env.macro
    def image(name):
        return f"papertrade/{name}:dev"

    @env.macro
    def service_list(*names):
        return "\\n".join(f"- {name}" for name in names)

    @env.macro
    def fenced(lang, text):
        return f"```{lang}\\n{text}\\n```"
"""

MKDOCS_YML = """\
site_name: Test
docs_dir: docs
plugins:
  - macros:
      module_name: main
  - execdocs:
      conditions:
        always: "true"
        never: "false"
markdown_extensions:
  - admonition
  - pymdownx.superfences
  - pymdownx.highlight
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.snippets:
      base_path: [snippets, .]
      check_paths: true
"""


def write_project(root: Path, files: dict[str, str] | None = None, mkdocs_yml: str = MKDOCS_YML):
    """Write mkdocs.yml, the macros module, docs/ and `files` (path -> text) under root."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "snippets").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml)
    (root / "main.py").write_text(MACROS)
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "mkdocs.yml"
