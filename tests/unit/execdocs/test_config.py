"""Project: a mkdocs.yml loaded as `mkdocs build` loads it, with execdocs' options."""

from pathlib import Path

import pytest
from mkdocs_project import MKDOCS_YML, write_project

from execdocs.config import InvalidProject, Project
from execdocs.model import InvalidPage


def test_load_reads_dirs_and_conditions(tmp_path):
    project = Project.load(write_project(tmp_path))
    assert project.root == tmp_path.resolve()
    assert project.docs_dir == (tmp_path / "docs").resolve()
    assert project.conditions == {"always": "true", "never": "false"}
    assert project.markdown_extension_config("pymdownx.snippets") == {
        "base_path": ["snippets", "."],
        "check_paths": True,
    }
    assert project.markdown_extension_config("pymdownx.emoji") is None


def test_conditions_default_to_none(tmp_path):
    yml = MKDOCS_YML.replace(
        '      conditions:\n        always: "true"\n        never: "false"\n', ""
    )
    assert Project.load(write_project(tmp_path, mkdocs_yml=yml)).conditions == {}


def test_project_without_the_execdocs_plugin(tmp_path):
    config = write_project(tmp_path, mkdocs_yml="site_name: Bare\n")
    assert Project.load(config).conditions == {}


@pytest.mark.parametrize(
    ("conditions", "words"),
    [
        ("      conditions:\n        root: 7\n", "needs a shell probe"),
        ("      conditions:\n        root: ''\n", "needs a shell probe"),
        ("      conditions: [a, b]\n", "MkDocs cannot load it"),
    ],
)
def test_bad_conditions_are_refused(tmp_path, conditions, words):
    yml = MKDOCS_YML.replace(
        '      conditions:\n        always: "true"\n        never: "false"\n', conditions
    )
    with pytest.raises(InvalidProject) as caught:
        Project.load(write_project(tmp_path, mkdocs_yml=yml))
    assert words in caught.value.message
    assert caught.value.origin.path == (tmp_path / "mkdocs.yml").resolve()


def test_missing_or_broken_config_is_refused(tmp_path):
    with pytest.raises(InvalidProject, match="no such file"):
        Project.load(tmp_path / "mkdocs.yml")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - no-such-plugin\n")
    with pytest.raises(InvalidProject, match="MkDocs cannot load it"):
        Project.load(tmp_path / "mkdocs.yml")


def test_invalid_project_is_an_invalid_page():
    assert issubclass(InvalidProject, InvalidPage)  # the runner refuses its pages the same way


def test_the_repository_project_loads():
    project = Project.load(Path(__file__).parents[3] / "mkdocs.yml")
    assert project.docs_dir.name == "docs"
