"""The figure macros: how sizes and times read, and the clear error for a missing one."""

from __future__ import annotations

import re

import pytest
from sample_measurements import sample

from papertrade_docs.macros.figures import figure_macros
from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import EARLIER_DOCS, IMAGES, MB, OFFICIAL_IMAGES
from papertrade_docs.measure.measurements import Measurements, MeasurementsError


@pytest.fixture
def macros():
    data = Measurements(sample(), "docs/data/measurements.json")
    return figure_macros(lambda: data)


@pytest.mark.parametrize(
    ("size_bytes", "shown"),
    [
        (74_400_000, "74 MB"),
        (74_500_001, "75 MB"),
        (186_000_000, "186 MB"),
        (400_000, "under 1 MB"),
    ],
)
def test_sizes_are_whole_decimal_megabytes(size_bytes, shown):
    assert figure_text.megabytes(size_bytes) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(12.34, "12.3 s"), (1.0, "1.0 s"), (0.998, "1.0 s"), (0.456, "0.46 s"), (0.012, "0.01 s")],
)
def test_times_read_in_seconds(value, shown):
    assert figure_text.seconds(value) == shown


def test_image_and_stack_macros_read_the_data(macros):
    assert macros["image_size"]("backend-prod") == "74 MB"
    assert macros["image_layers"]("db") == "7"
    assert macros["build_time"]("cache") == "61.2 s"
    assert macros["stack_figure"]("dev_ready_seconds") == "12.3 s"
    assert macros["stack_figure"]("backend_reload_seconds") == "0.46 s"
    assert macros["image_budget"]("frontend-prod") == "20 MB"


def test_the_base_image_macros_say_its_size_and_origin(macros):
    assert macros["base_image_size"]() == "78 MB"
    assert macros["base_image_origin"]() == (
        "bootstrapped from Debian's packages "
        "(`debootstrap --variant=minbase trixie http://deb.debian.org/debian`)"
    )
    with pytest.raises(MeasurementsError, match=r"no base image 'alpine:3' under `base_images`"):
        macros["base_image_size"]("alpine:3")


def test_sizes_stated_elsewhere_come_from_code_with_their_approximation(macros):
    assert macros["stated_image_size"]("backend-dev") == "586 MB"
    assert macros["stated_image_size"]("frontend-prod") == "about 50 MB"
    assert macros["stated_image_size"]("db") == "about 454 MB"


def test_measured_on_says_when_where_and_how(macros):
    sentence = macros["measured_on"]()
    assert sentence == (
        "Measured on 2026-11-27 at 10:15 UTC by `make measure` with Docker Engine 20.10.24 "
        "and Docker Compose 2.40.3 (2 CPUs); reload times are the median of "
        "5 tries."
    )


@pytest.mark.parametrize(
    ("macro", "argument", "message"),
    [
        ("image_size", "worker", r"no image 'worker' under `images`.*make measure"),
        ("stack_figure", "boot_seconds", r"stack_figure\('boot_seconds'\): no such stack figure"),
        ("image_budget", "worker", r"no image named 'worker'.*make measure"),
        ("stated_image_size", "cache-dev", r"no image named 'cache-dev'"),
    ],
)
def test_an_unknown_name_raises_naming_it(macros, macro, argument, message):
    with pytest.raises(MeasurementsError, match=message):
        macros[macro](argument)


def test_a_figure_missing_from_the_file_says_to_run_make_measure():
    document = sample()
    del document["images"]["db"]["layers"]
    # The document is no longer valid: loading it fails before any page renders.
    with pytest.raises(
        MeasurementsError, match=r"images\.db\.layers is missing; run `make measure`"
    ):
        Measurements(document)


def test_the_table_has_a_row_per_image_with_budget_and_stated_size(macros):
    table = macros["images_table"]()
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(IMAGES)
    backend_prod = next(row for row in rows if "papertrade/backend-prod:test" in row)
    cells = [cell.strip() for cell in backend_prod.strip("|").split("|")]
    assert cells == [
        "`papertrade/backend-prod:test`",
        "74 MB",
        "7",
        "under 55 MB",
        "186 MB (PaperTrade's previous image)",
    ]
    db = next(row for row in rows if "papertrade/db:test" in row)
    assert db.rstrip("| ").endswith("about 454 MB (postgres:17)")
    assert "as stated on Docker Hub at the time" in table


def test_the_budgets_and_stated_sizes_are_the_ones_the_project_set():
    # The targets and the earlier claims of the project's issues, kept in one place.
    budgets = {image.name: image.budget_bytes // MB for image in IMAGES}
    assert budgets == {
        "backend-prod": 55,
        "backend-dev": 250,
        "frontend-prod": 20,
        "frontend-dev": 150,
        "db": 100,
        "cache": 30,
    }
    stated = {name: s.size_bytes // MB for name, s in {**EARLIER_DOCS, **OFFICIAL_IMAGES}.items()}
    assert stated == {
        "backend-dev": 586,
        "backend-prod": 186,
        "frontend-dev": 135,
        "frontend-prod": 50,
        "db": 454,
        "cache": 143,
    }


def test_every_macro_output_is_free_of_template_syntax(macros):
    # Output goes back into the page; Jinja must find nothing in it to expand.
    for name in ("images_table", "size_chart", "measured_on"):
        assert not re.search(r"{{|{%|{#", macros[name]())
