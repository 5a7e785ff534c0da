"""The macros in a real mkdocs build: loaded by path as mkdocs.yml names them, they
render the figures, and a page asking for a figure that does not exist stops the build."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sample_measurements import sample

from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import image

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).with_name("mkdocs")

CONFIG = f"""
site_name: macros test
theme: {{name: mkdocs}}
strict: true
plugins:
  - macros:
      module_name: {ROOT / "src" / "papertrade_docs" / "macros" / "main"}
      on_error_fail: true
      on_undefined: strict
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    (tmp_path / "docs" / "data").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text(page)
    (tmp_path / "docs" / "data" / "measurements.json").write_text(json.dumps(sample()))
    return subprocess.run(
        [str(MKDOCS), "build", "-f", str(tmp_path / "mkdocs.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def mkdocs_installed():
    if not MKDOCS.exists():
        pytest.fail(f"{MKDOCS} is missing: run `make setup`")


def test_a_page_shows_the_measured_figures(tmp_path):
    result = build(
        tmp_path,
        "# Images\n\nThe production backend is {{ image_size('backend-prod') }}.\n\n"
        "{{ images_table() }}\n\n{{ size_chart() }}\n\n{{ measured_on() }}\n",
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    assert "The production backend is 74 MB." in html
    budget = figure_text.megabytes(image("backend-prod").budget_bytes)
    assert re.search(rf"<td[^>]*>under {budget}</td>", html)  # the table became a table
    assert '<figure class="size-chart"><svg' in html
    assert "Measured on 2026-11-27 at 10:15 UTC" in html
    # Published with the site, so anyone can read the raw figures.
    assert (tmp_path / "site" / "data" / "measurements.json").is_file()


def test_a_figure_that_does_not_exist_stops_the_build_naming_it(tmp_path):
    result = build(tmp_path, "# Images\n\n{{ image_size('worker') }}\n")
    assert result.returncode != 0
    assert "no image 'worker' under `images`" in result.stderr
    assert "run `make measure`" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_a_missing_data_file_stops_the_build_saying_how_to_make_it(tmp_path):
    (tmp_path / "docs" / "data").mkdir(parents=True)
    result = build_without_data(tmp_path)
    assert result.returncode != 0
    assert "measurements.json does not exist: run `make measure` to create it" in result.stderr


def build_without_data(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    (tmp_path / "docs" / "index.md").write_text("{{ stack_figure('dev_ready_seconds') }}\n")
    return subprocess.run(
        [str(MKDOCS), "build", "-f", str(tmp_path / "mkdocs.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
