"""Where the notes live and what they may name, read from mkdocs.yml's blog plugin.

mkdocs.yml is the one source: the validator, `make note` and the site agree because
they all read the same `categories_allowed` and authors file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class SettingsError(Exception):
    """mkdocs.yml or the authors file cannot be used; the message says what to fix."""


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its `!!python/name:` tags point at."""


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
_TolerantLoader.add_multi_constructor("!", lambda *_: None)


@dataclass(frozen=True)
class NoteSettings:
    root: Path  # the directory holding mkdocs.yml
    docs_dir: Path
    posts_dir: Path
    authors_file: Path
    categories: tuple[str, ...]
    authors: tuple[str, ...]


def _blog_options(config: dict, config_path: Path) -> dict:
    for entry in config.get("plugins") or []:
        if entry == "blog":
            return {}
        if isinstance(entry, dict) and "blog" in entry:
            return entry["blog"] or {}
    raise SettingsError(f"{config_path}: no 'blog' plugin under 'plugins': add '- blog'")


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SettingsError(f"{path}:{line}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}:1: expected a mapping at the top")
    return data


def _author_keys(authors_file: Path) -> tuple[str, ...]:
    authors = _read_yaml(authors_file).get("authors")
    if not isinstance(authors, dict) or not authors:
        raise SettingsError(
            f"{authors_file}:1: needs an 'authors:' mapping with one entry per author"
        )
    return tuple(str(key) for key in authors)


def load_settings(config_path: Path) -> NoteSettings:
    config_path = config_path.resolve()
    config = _read_yaml(config_path)
    blog = _blog_options(config, config_path)
    root = config_path.parent
    docs_dir = root / config.get("docs_dir", "docs")
    blog_dir = blog.get("blog_dir", "blog")
    posts_dir = docs_dir / blog.get("post_dir", "{blog}/posts").format(blog=blog_dir)
    authors_file = docs_dir / blog.get("authors_file", "{blog}/.authors.yml").format(blog=blog_dir)
    categories = tuple(blog.get("categories_allowed") or ())
    if not categories:
        raise SettingsError(
            f"{config_path}: the blog plugin has no 'categories_allowed' list: add one"
        )
    return NoteSettings(
        root=root,
        docs_dir=docs_dir,
        posts_dir=posts_dir,
        authors_file=authors_file,
        categories=categories,
        authors=_author_keys(authors_file),
    )
