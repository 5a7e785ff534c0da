"""figure_macros_table: the macros that quote a measured figure, for the contributor's page
("Writing a progress note"): each with the arguments it takes and what it shows today,
read from the same functions and data files the pages' macros use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from papertrade_docs.macros.bench import BENCH_DOCS_FILE, BENCH_FILE, bench_figure, load_bench
from papertrade_docs.macros.figures import figure_macros
from papertrade_docs.measure.images import IMAGES, STACK_FIGURES
from papertrade_docs.measure.measurements import DATA_FILE, load
from papertrade_docs.notes.reference import quoting_table


def register_quoting(env) -> None:
    root = Path(env.project_dir)
    figures = figure_macros(cache(lambda: load(root / DATA_FILE)))

    @env.macro
    def figure_macros_table() -> str:
        images = [image.name for image in IMAGES]
        bench = load_bench(root / BENCH_FILE)
        bench_docs = load_bench(root / BENCH_DOCS_FILE)
        return quoting_table([
            ("image_size", images, figures["image_size"]),
            ("image_layers", images, figures["image_layers"]),
            ("build_time", images, figures["build_time"]),
            ("stack_figure", list(STACK_FIGURES), figures["stack_figure"]),
            ("measured_on", [], figures["measured_on"]),
            ("bench", [key for key in bench if key != "measured"],
             lambda key: bench_figure(bench, key)),
            ("bench_docs", [key for key in bench_docs if key != "measured"],
             lambda key: bench_figure(bench_docs, key, BENCH_DOCS_FILE)),
        ])
