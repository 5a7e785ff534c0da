"""The build-time macros: cold and warm builds per image, the installer comparison with
its date and machine, and the verdict said as the figures have it."""

from __future__ import annotations

import re

import pytest
from sample_measurements import sample

from papertrade_docs.macros.figures import figure_macros
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import Measurements, MeasurementsError


def macros_for(document):
    data = Measurements(document, "docs/data/measurements.json")
    return figure_macros(lambda: data)


@pytest.fixture
def macros():
    return macros_for(sample())


def test_cold_and_warm_build_times_per_image(macros):
    assert macros["build_time"]("cache") == "61.2 s"
    assert macros["build_time"]("cache", "warm") == "0.84 s"
    with pytest.raises(MeasurementsError, match=r"no build kind 'lukewarm'"):
        macros["build_time"]("cache", "lukewarm")


def test_the_build_times_table_has_a_row_per_image(macros):
    rows = [r for r in macros["build_times_table"]().splitlines() if r.startswith("| `")]
    assert len(rows) == len(IMAGES)
    assert rows[0] == "| `papertrade/backend-prod:test` | 61.2 s | 0.84 s |"


def test_what_cold_means_comes_from_the_data(macros):
    assert macros["build_definition"]() == "`docker compose build --no-cache <service>`"
    assert macros["build_definition"]("warm") == "the same build again, nothing changed"


def test_installer_figures_and_their_steps(macros):
    assert macros["installer_time"]("pip") == "9.5 s"
    assert macros["installer_time"]("uv", "lock") == "1.5 s"
    assert macros["installer_time"]("uv", "tool") == "3.1 s"
    with pytest.raises(MeasurementsError, match=r"installer 'pip' has no step 'tool'"):
        macros["installer_time"]("pip", "tool")
    with pytest.raises(MeasurementsError, match=r"no installer 'poetry'"):
        macros["installer_time"]("poetry")


def test_the_installers_table_shows_medians_and_every_try(macros):
    table = macros["installers_table"]()
    assert "| Installer | What is timed | Median of 3 | Each try |" in table
    assert "| pip 25.1.1 | whole build of the target | 9.5 s | 9.5 s, 9.1 s, 10.0 s |" in table
    assert "| uv 0.13.8 | whole build of the target | 5.2 s | 5.2 s, 5.0 s, 6.0 s |" in table


def test_the_comparison_says_when_and_on_what_without_the_kernel(macros):
    sentence = macros["installers_measured_on"]()
    assert sentence == (
        "Compared on 2026-11-27 at 11:00 UTC by `make measure-installers` on 2 CPUs, "
        "x86_64, with Docker Engine 20.10.24; load average 0.50 before, 1.25 after: "
        "medians of 3 cold tries each, installing `docker/backend/requirements.txt` "
        "(21 packages)."
    )


@pytest.mark.parametrize(
    ("pip", "uv", "verdict"),
    [
        (
            [9.5, 9.1, 10.0],
            [5.25, 5.0, 6.0],
            "faster in every try (uv 5.2 s, pip 9.5 s; medians)",
        ),
        (
            [5.0, 4.5, 5.5],
            [6.5, 6.0, 7.0],
            "slower in every try (uv 6.5 s, pip 5.0 s; medians)",
        ),
        (
            [13.8, 8.0, 5.9],
            [7.8, 7.9, 4.9],
            "neither faster nor slower beyond the spread of the tries "
            "(uv 7.8 s, pip 8.0 s; medians)",
        ),
    ],
)
def test_the_verdict_is_only_as_sure_as_the_tries(pip, uv, verdict):
    document = sample()
    for name, tries in (("pip", pip), ("uv", uv)):
        figures_ = document["installers"]["installers"][name]
        figures_["samples"]["build"] = tries
        figures_["build_seconds"] = sorted(tries)[1]
    assert macros_for(document)["installers_verdict"]() == verdict


def test_the_verdict_on_the_lock_alone(macros):
    assert macros["installers_verdict"]("lock") == (
        "faster in every try (uv 1.5 s, pip 6.8 s; medians)"
    )
    with pytest.raises(MeasurementsError, match=r"only 'build' or 'lock'"):
        macros["installers_verdict"]("tool")


def test_without_the_comparison_its_macros_name_the_command():
    document = sample()
    del document["installers"]
    macros = macros_for(document)
    for name in ("installers_table", "installers_measured_on", "installers_verdict"):
        with pytest.raises(MeasurementsError, match=r"run `make measure-installers`"):
            macros[name]()


def test_the_outputs_hold_no_template_syntax(macros):
    for name in ("build_times_table", "installers_table", "installers_measured_on"):
        assert not re.search(r"{{|{%|{#", macros[name]())
