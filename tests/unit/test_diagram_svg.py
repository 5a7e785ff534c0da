"""The stack diagrams: well-formed, accessible SVG themed by the page, laid out the same
way every time, from the snapshot; and the Dockerfile reader that finds which build
stages mount a secret. No Compose needed here."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from papertrade_docs.diagrams import diagram, register_diagrams
from papertrade_docs.diagrams.compose import STACKS, DiagramError, load_snapshot
from papertrade_docs.diagrams.dockerfile import instructions, stages_using_secret
from papertrade_docs.diagrams.svg import port_text, stack_svg

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def snapshot(key: str) -> dict:
    return load_snapshot(STACKS[key], ROOT)


def svg_of(data: dict) -> ET.Element:
    return ET.fromstring(stack_svg(data, "A stack"))


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(SVG + "text")]


def boxes(svg: ET.Element) -> dict[str, ET.Element]:
    """Each service's box (its rect), by the name written in it."""
    found = {}
    for group in svg.iter(SVG + "g"):
        if group.get("class") == "pt-stack__service":
            name = next(t.text for t in group.iter(SVG + "text")
                        if t.get("class") == "pt-stack__name")
            found[name] = group.find(SVG + "rect")
    return found


@pytest.mark.parametrize("key", sorted(STACKS))
def test_the_figure_is_well_formed_and_draws_every_service_port_and_volume(key):
    data = snapshot(key)
    figure = ET.fromstring(diagram(STACKS[key], data))  # the whole figure parses as XML
    assert figure.tag == "figure" and figure.get("class") == "pt-stack-figure"
    svg = figure.find(SVG + "svg")
    written = texts(svg)
    assert sorted(boxes(svg)) == sorted(data["services"])
    for service in data["services"].values():
        # A long image name wraps onto the box's next line.
        assert service["image"] in written or service["image"] in "".join(written)
        for port in service["ports"]:
            assert port_text(port) in written
    for volume in data["volumes"]:
        assert volume in written


def test_the_diagram_is_accessible_and_themed_by_the_page():
    svg = svg_of(snapshot("prod"))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(SVG + "title").get("id") == title_id
    desc = svg.find(SVG + "desc")
    assert desc.get("id") == desc_id
    # The description says in words what the picture shows.
    stages = snapshot("prod")["services"]["backend"]["build"]["secret_stages"]["extra_ca"]
    for said in ("Service frontend", "publishes 127.0.0.1:8080→8080", "waits for backend",
                 "service_healthy", "db-data", "data (internal)",
                 f"build secret extra_ca in stages {', '.join(stages)}"):
        assert said in desc.text, said
    source = ET.tostring(svg, encoding="unicode")
    assert all(t.get("fill") == "currentColor" for t in svg.iter(SVG + "text"))
    # No fixed colour at all (the stylesheet colours it), no script, nothing fetched.
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(|\b(?:black|white)\b", source)
    assert "<script" not in source and "href" not in source and "url(" not in source
    assert 'class="pt-stack"' in source


def test_the_stylesheet_colours_the_classes_with_materials_variables():
    css = (ROOT / "docs/stylesheets/diagrams.css").read_text()
    for name in ("box", "head", "key", "edge", "tip", "label-ground"):
        assert f".pt-stack__{name}" in css
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(", css)
    assert "stylesheets/diagrams.css" in (ROOT / "mkdocs.yml").read_text()


def test_depends_on_arrows_are_labelled_and_point_downwards():
    data = snapshot("dev")
    svg = svg_of(data)
    drawn = boxes(svg)
    arrows = [g for g in svg.iter(SVG + "g") if g.get("class") == "pt-stack__depends"]
    expected = {(name, target, d["condition"])
                for name, s in data["services"].items() for target, d in s["depends_on"].items()}
    found = set()
    for arrow in arrows:
        waiter, rest = arrow.find(SVG + "title").text.split(" waits for ")
        target, condition = rest.split(": ")
        found.add((waiter, target, condition))
        assert arrow.find(SVG + "text").text == condition
        line = arrow.find(SVG + "line")
        assert float(line.get("y1")) == pytest.approx(
            float(drawn[waiter].get("y")) + float(drawn[waiter].get("height")))
        assert float(line.get("y2")) < float(drawn[target].get("y"))  # the tip ends on it
    assert found == expected and expected


def test_the_layout_is_deterministic_and_boxes_do_not_overlap():
    data = snapshot("prod")
    assert stack_svg(data, "t") == stack_svg(copy.deepcopy(data), "t")
    rects = [(float(r.get("x")), float(r.get("y")), float(r.get("width")),
              float(r.get("height"))) for r in boxes(svg_of(data)).values()]
    svg = svg_of(data)
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for index, (x, y, w, h) in enumerate(rects):
        assert 0 <= x and x + w <= width and 0 <= y and y + h <= height
        for x2, y2, w2, h2 in rects[index + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_a_long_value_wraps_inside_its_box():
    data = copy.deepcopy(snapshot("dev"))
    long_path = "/var/lib/" + "very-long-folder-name/" * 6 + "data"
    data["services"]["db"]["mounts"][0]["target"] = long_path
    svg = svg_of(data)
    box = boxes(svg)["db"]
    right = float(box.get("x")) + float(box.get("width"))
    lines = [t for t in svg.iter(SVG + "text") if "very-long-folder-name" in (t.text or "")]
    assert len(lines) > 1
    for line in lines:
        assert float(line.get("x")) + len(line.text) * 7.6 <= right + 1


def test_text_is_escaped():
    data = copy.deepcopy(snapshot("dev"))
    data["services"]["db"]["image"] = "a<b>&c"
    svg = svg_of(data)
    assert "a<b>&c" in texts(svg)


def test_an_empty_stack_is_refused():
    with pytest.raises(ValueError, match="no services"):
        stack_svg({"services": {}}, "t")


def test_the_macro_draws_from_the_snapshot_and_refuses_an_unknown_stack():
    class Env:
        project_dir = str(ROOT)
        macros: dict = {}

        def macro(self, function, name=None):
            self.macros[name or function.__name__] = function
            return function

    env = Env()
    register_diagrams(env)
    figure = env.macros["stack_diagram"]("dev")
    assert figure.startswith('<figure class="pt-stack-figure"><svg') and "\n" not in figure
    assert "compose.yaml" in figure and ".env.example" in figure
    with pytest.raises(DiagramError, match="no stack 'cluster'.*'dev', 'prod', 'swarm'"):
        env.macros["stack_diagram"]("cluster")


# ---------------------------------------------------------------- the Dockerfile reader

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG BASE=debian
FROM debian AS base
RUN echo base

FROM base AS fetch
# a comment inside
RUN --mount=type=secret,id=extra_ca \\
    # and one inside a continued instruction
    curl https://example.org

FROM base AS unused
RUN --mount=type=secret,id=extra_ca true

FROM --platform=$BUILDPLATFORM base AS tools
RUN --mount=type=secret,target=/run/secrets/extra_ca true

FROM base
COPY --from=fetch /a /a

FROM scratch AS final
COPY --from=4 /a /a
RUN --mount=type=bind,from=tools,target=/t true
"""


def test_instructions_join_continued_lines_and_drop_comments():
    joined = instructions(DOCKERFILE)
    assert "RUN --mount=type=secret,id=extra_ca curl https://example.org" in joined
    assert not any(line.startswith("#") for line in joined)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("final", ["fetch", "tools"]),  # via the unnamed stage 4, and a bind mount's from=
        ("FETCH", ["fetch"]),  # stage names are case-insensitive
        ("unused", ["unused"]),
        ("base", []),
        (None, ["fetch", "tools"]),  # no target: the last stage
    ],
)
def test_only_the_stages_a_target_builds_count(target, expected):
    assert stages_using_secret(DOCKERFILE, "extra_ca", target) == expected


def test_an_unknown_target_is_an_error():
    with pytest.raises(ValueError, match="no stage 'nope'"):
        stages_using_secret(DOCKERFILE, "extra_ca", "nope")


@pytest.mark.parametrize("key", sorted(STACKS))
def test_every_build_given_the_ca_secret_has_a_stage_that_mounts_it(key):
    """A build handed `extra_ca` whose target reaches no stage mounting it would be a
    Dockerfile that lost its proxy support: the picture would say so, and so does this."""
    for name, service in snapshot(key)["services"].items():
        build = service.get("build") or {}
        for secret in build.get("secrets", []):
            assert build["secret_stages"][secret], f"{key} {name}: no stage mounts {secret}"
