"""The size chart is well-formed SVG, scaled to its data, readable in both schemes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sample_measurements import sample

from papertrade_docs.macros.chart import Legend, Row, bar_chart, nice_step
from papertrade_docs.macros.figures import render_size_chart
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import Measurements

SVG = "{http://www.w3.org/2000/svg}"
LEGEND = Legend("measured", "stated", "budget")


def chart(rows):
    return ET.fromstring(bar_chart(rows, "Sizes", "All sizes.", LEGEND, lambda v: f"{v:g} MB"))


def value_bars(svg):
    return [r for r in svg.iter(SVG + "rect") if "typeset-a-color" in r.get("style", "")][1:]


def test_bars_are_proportional_to_their_values():
    svg = chart([Row("a", 100, "100 MB"), Row("b", 50, "50 MB"), Row("c", 25, "25 MB")])
    widths = [float(r.get("width")) for r in value_bars(svg)]
    # Written with one decimal: proportional to within that rounding.
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    assert widths[0] == pytest.approx(4 * widths[2], abs=0.4)


def test_the_axis_covers_the_largest_value_reference_and_limit():
    svg = chart([Row("a", 40, "40 MB", reference=586, reference_text="586 MB", limit=80)])
    axis = [t.text for t in svg.iter(SVG + "text") if t.text and t.text.endswith(" MB")]
    assert "600 MB" in axis
    assert "700 MB" not in axis


def test_the_chart_is_accessible_and_themed_by_the_page():
    svg = chart([Row("a<b", 1, "1 MB")])
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(SVG + "title").get("id") == title_id
    assert svg.find(SVG + "desc").get("id") == desc_id
    texts = list(svg.iter(SVG + "text"))
    assert all(t.get("fill") == "currentColor" for t in texts)
    assert "a<b" in [t.text for t in texts]  # escaped in the source, intact when read
    source = ET.tostring(svg, encoding="unicode")
    # No fixed colour without a theme variable in front of it, no script, nothing fetched.
    assert not re.search(r'(fill|stroke)="#', source)
    assert "<script" not in source and "href" not in source


@pytest.mark.parametrize(
    ("largest", "step"), [(586, 100), (80, 20), (20, 5), (1, 0.2), (1200, 200), (1234, 500), (6, 1)]
)
def test_axis_steps_are_round_numbers(largest, step):
    assert nice_step(largest) == pytest.approx(step)


def test_an_empty_chart_is_refused():
    with pytest.raises(ValueError, match="at least one row"):
        bar_chart([], "t", "d", LEGEND, str)


def test_the_size_chart_shows_every_image_with_budget_and_stated_size():
    figure = render_size_chart(Measurements(sample()))
    assert figure.startswith('<figure class="size-chart">') and "\n\n" not in figure
    svg = ET.fromstring(figure).find(SVG + "svg")
    labels = [t.text for t in svg.iter(SVG + "text") if t.get("font-weight") == "bold"]
    assert labels == [image.name for image in IMAGES]
    description = svg.find(SVG + "desc").text
    assert (
        "backend-prod: 74 MB measured, budget under 55 MB, 186 MB (PaperTrade's previous image)"
        in description
    )
    dashed = [line for line in svg.iter(SVG + "line") if line.get("stroke-dasharray")]
    assert len(dashed) == len(IMAGES) + 1  # one budget per image, one in the legend
