"""The project a page belongs to: its `mkdocs.yml`, loaded as `mkdocs build` loads it.

A `Project` holds the root directory, the docs directory, the loaded MkDocs config and
the options of the `execdocs` plugin entry in it, such as `conditions` (name -> shell
probe command; a block with `requires="name"` runs only where the probe succeeds).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from execdocs.model import InvalidPage, Origin

if TYPE_CHECKING:  # MkDocs is imported only when a page has a project (start-up time)
    from mkdocs.config.defaults import MkDocsConfig

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
PLUGIN_NAME = "execdocs"


class InvalidProject(InvalidPage):
    """A `mkdocs.yml` the runner cannot use; every page of the project is refused."""


@dataclass
class Project:
    config_file: Path  # absolute
    mkdocs_config: MkDocsConfig = field(repr=False)
    conditions: dict[str, str] = field(default_factory=dict)
    # Set by `execdocs.render` the first time it needs the macros plugin ready.
    rendering_state: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.config_file.parent

    @property
    def docs_dir(self) -> Path:
        return Path(self.mkdocs_config.docs_dir)

    @classmethod
    def load(cls, config_file: Path) -> Project:
        """Load `config_file` (a mkdocs.yml); raises `InvalidProject` if MkDocs refuses it."""
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        config_file = Path(config_file).resolve()
        origin = Origin(config_file, 1)
        if not config_file.is_file():
            raise InvalidProject(origin, "no such file; give the path of the project's mkdocs.yml")
        # MkDocs logs what is wrong with a config, then raises a bare "Aborted".
        with _LogCapture("mkdocs") as logged:
            try:
                config = load_config(config_file=str(config_file))
            except (MkDocsException, OSError) as error:
                reason = "; ".join(logged.errors) or _one_line(error)
                raise InvalidProject(
                    origin, f"MkDocs cannot load it ({reason}); fix it until `mkdocs build` works"
                ) from None
        return cls(config_file, config, _conditions(config, origin))

    def plugin(self, kind: type) -> Any | None:
        """The configured plugin instance of class `kind`, if the project uses one."""
        return next((p for p in self.mkdocs_config.plugins.values() if isinstance(p, kind)), None)

    def markdown_extension_config(self, name: str) -> dict[str, Any] | None:
        """The options of Markdown extension `name`, or None when it is not enabled."""
        if name not in self.mkdocs_config.markdown_extensions:
            return None
        return dict(self.mkdocs_config.mdx_configs.get(name, {}))


def _conditions(config: MkDocsConfig, origin: Origin) -> dict[str, str]:
    plugin = config.plugins.get(PLUGIN_NAME)
    if plugin is None:
        return {}
    conditions = plugin.config.get("conditions") or {}
    for name, probe in conditions.items():
        if not isinstance(name, str) or not isinstance(probe, str) or not probe.strip():
            raise InvalidProject(
                origin,
                f"execdocs condition {name!r} needs a shell probe command as a string;"
                " write `name: command` under the plugin's `conditions:`",
            )
    return dict(conditions)


def _one_line(error: BaseException | str) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class _LogCapture(logging.Handler):
    """Collect a logger's error messages for a `with` block, and keep it quiet meanwhile
    (warnings MkDocs logs while loading are the build's to report)."""

    def __init__(self, name: str):
        super().__init__(logging.ERROR)
        self.logger = logging.getLogger(name)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(_one_line(record.getMessage()))

    def __enter__(self) -> _LogCapture:
        self.saved = self.logger.level, self.logger.propagate, self.logger.handlers
        self.logger.setLevel(logging.ERROR)
        self.logger.propagate = False
        self.logger.handlers = [self]
        return self

    def __exit__(self, *exc_info: object) -> None:
        level, self.logger.propagate, self.logger.handlers = self.saved
        self.logger.setLevel(level)
