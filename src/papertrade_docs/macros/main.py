"""mkdocs-macros entry point: the variables and macros pages may use.

mkdocs-macros loads this file by path (`module_name` in mkdocs.yml), not as part of
the package, so it imports its siblings absolutely; the package is installed by
`make setup` (`pip install -e`). `define_env` is a list of small registrations.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from papertrade_docs.diagrams import register_diagrams
from papertrade_docs.envref.table import reference_table
from papertrade_docs.macros.bench import register_bench
from papertrade_docs.macros.figures import figure_macros
from papertrade_docs.macros.quoting import register_quoting
from papertrade_docs.macros.site import define_site_macros
from papertrade_docs.measure.measurements import DATA_FILE, Measurements, load


def define_env(env):
    register_measurements(env)
    define_site_macros(env)  # execdocs_coverage, progress_by_task (site.py)
    register_env_reference(env)
    register_bench(env)  # bench, bench_measured (bench.py)
    register_diagrams(env)  # stack_diagram, lab_diagram (src/papertrade_docs/diagrams/)
    register_quoting(env)  # figure_macros_table (quoting.py)


def register_measurements(env) -> None:
    """image_size, stack_figure, images_table, size_chart, measured_on and friends;
    build_times_table and the installer comparison (build_times.py)."""
    source = Path(env.project_dir) / DATA_FILE

    @cache
    def measurements() -> Measurements:
        # Read when a page first asks, so the error lands on that page.
        return load(source)

    for name, function in figure_macros(measurements).items():
        env.macro(function, name)


def register_env_reference(env) -> None:
    """env_reference_table: the environment reference, generated from docker/environment.yaml."""
    root = Path(env.project_dir)

    @env.macro
    def env_reference_table() -> str:
        # A malformed catalog raises CatalogError (file:line), which fails the build.
        return reference_table(root)
