"""The picture of the TLS-interception lab (proxies page): its committed snapshot says
what the lab's files say now (`docker compose config` of the lab and of the probe
builds, the proxy's script, the probes' Dockerfiles) and stops saying it the moment one
changes; the SVG draws all of it, accessibly, themed by the page. No Docker engine:
`docker compose config` reads files only. Changes are made to a scratch copy."""

from __future__ import annotations

import copy
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from papertrade_docs.diagrams import lab_diagram_html, register_diagrams
from papertrade_docs.diagrams.compose import REFRESH, DiagramError, compose_command
from papertrade_docs.diagrams.lab import LABS, load_snapshot, snapshot_of, staleness
from papertrade_docs.diagrams.lab_svg import FAILURES, lab_svg, short_command, tool

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
SPEC = LABS["tls"]
PAGE = ROOT / "docs/docker/proxies.md"


@pytest.fixture(scope="module")
def compose_installed():
    try:
        compose_command()
    except DiagramError as error:
        pytest.fail(f"{error}: run `make setup` (it installs a standalone docker-compose)")


def snapshot() -> dict:
    return load_snapshot(SPEC, ROOT)


def svg_of(data: dict) -> ET.Element:
    return ET.fromstring(lab_svg(data, "The lab"))


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(SVG + "text")]


def scratch_copy(tmp_path: Path) -> Path:
    """The lab, the probes, the stack Dockerfiles the probes build FROM, the snapshot."""
    for folder in ("labs/tls-intercept", "snippets/tls-probe"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for relative in [SPEC.snapshot, *(str(p.relative_to(ROOT))
                                      for p in ROOT.glob("docker/*/Dockerfile"))]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, tmp_path / relative)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}: pick another line for this test"
    path.write_text(text.replace(old, new))


# ---------------------------------------------------------------- the snapshot


def test_the_committed_snapshot_matches_the_labs_files(compose_installed):
    problem = staleness(SPEC)
    assert problem is None, problem


def test_the_snapshot_holds_what_the_picture_needs():
    data = snapshot()
    proxy, builds = data["proxy"], data["builds"]
    assert proxy["program"] == "mitmdump" and proxy["listen_port"] == 8080
    assert proxy["network_mode"] == "bridge" and proxy["ports"] == []
    assert proxy["upstream_trust"] == "/run/secrets/upstream_ca"
    assert [s["source"] for s in proxy["secrets"]] == ["upstream_ca"]
    assert sorted(builds["probes"]) == ["npm", "pip", "uv"]  # not the base stages
    variables = {name: probe["variable"] for name, probe in builds["probes"].items()}
    assert variables == {"pip": "PIP_CERT", "uv": "SSL_CERT_FILE",
                         "npm": "NODE_EXTRA_CA_CERTS"}
    assert all(p["mount"] == "/run/secrets/extra_ca" for p in builds["probes"].values())
    text = (ROOT / SPEC.snapshot).read_text()
    assert str(ROOT) not in text  # the same on every checkout


@pytest.mark.parametrize(("where", "old", "new", "changed"), [
    ("labs/tls-intercept/proxy.sh", "--listen-port 8080", "--listen-port 8081",
     "proxy.listen_port: 8080 -> 8081"),
    ("labs/tls-intercept/compose.yaml", "    network_mode: bridge\n",
     "    network_mode: bridge\n    ports: [\"127.0.0.1:8080:8080\"]\n", "proxy.ports"),
    ("snippets/tls-probe/pip.Dockerfile", "export PIP_CERT=", "export PIP_CA=",
     'builds.probes.pip.variable: "PIP_CERT" -> "PIP_CA"'),
    ("snippets/tls-probe/compose.yaml", "  uv:\n    image: tls-probe/uv",
     "  uv-probe:\n    image: tls-probe/uv", "builds.probes.uv-probe: new"),
])
def test_a_change_to_the_labs_files_makes_the_snapshot_stale_and_changes_the_picture(
        compose_installed, tmp_path, where, old, new, changed):
    root = scratch_copy(tmp_path)
    assert staleness(SPEC, root) is None
    before = lab_svg(snapshot_of(SPEC, root), "t")
    replace_in(root / where, old, new)
    problem = staleness(SPEC, root)
    assert problem is not None and changed in problem, problem
    assert f"Run `{REFRESH}`" in problem
    assert lab_svg(snapshot_of(SPEC, root), "t") != before


def test_the_shell_environment_does_not_reach_the_picture(compose_installed, monkeypatch):
    """`make` exports EXTRA_CA_BUNDLE, a reader behind a proxy exports HTTPS_PROXY."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("EXTRA_CA_BUNDLE", "/etc/hostname")
    monkeypatch.setenv("LAB_UPSTREAM_CA_BUNDLE", "/etc/hostname")
    assert snapshot_of(SPEC) == snapshot()


def test_a_missing_snapshot_names_the_refresh_command(tmp_path):
    with pytest.raises(DiagramError, match=r"lab-tls\.json is missing: run `python -m"):
        load_snapshot(SPEC, tmp_path)


# ---------------------------------------------------------------- the picture


def test_the_figure_draws_the_builds_the_proxy_the_registries_and_the_secrets():
    data = snapshot()
    figure = ET.fromstring(lab_diagram_html(SPEC, data))  # the whole figure parses as XML
    assert figure.tag == "figure" and figure.get("class") == "pt-stack-figure"
    caption = "".join(figure.find("figcaption").itertext())
    assert SPEC.compose_file in caption and SPEC.probes_file in caption
    written = texts(figure.find(SVG + "svg"))
    joined = " ".join(written)
    for name, probe in data["builds"]["probes"].items():
        assert name in written
        assert short_command(probe["command"]) in written
        assert probe["variable"] in written
        assert FAILURES[tool(probe["command"])] in written
    for said in ("tls-lab/proxy", "mitmdump, listening on :8080", "Docker's default bridge",
                 "none published", "upstream_ca → /run/secrets/upstream_ca",
                 "from /etc/ssl/certs/ca-certificates.crt", "/tmp/mitmproxy",
                 "pypi.org", "registry.npmjs.org", "extra_ca", "/run/secrets/extra_ca",
                 "HTTPS_PROXY (build arg)", "RUN --mount=type=secret",
                 "the one RUN step only", "no layer of the image"):
        assert said in joined, said


def test_the_failure_messages_drawn_are_the_ones_the_page_records():
    page = PAGE.read_text()
    for message in FAILURES.values():
        assert message in page, f"{message} is drawn but no longer on the proxies page"


def test_the_picture_is_accessible_and_themed_by_the_page():
    svg = svg_of(snapshot())
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(SVG + "title").get("id") == title_id
    desc = svg.find(SVG + "desc")
    assert desc.get("id") == desc_id
    for said in ("pip download --retries 2", "PIP_CERT", "UnknownIssuer",
                 "SELF_SIGNED_CERT_IN_CHAIN", "pypi.org", "registry.npmjs.org",
                 "publishes no port", "network mode bridge", "/run/secrets/upstream_ca",
                 "build secret extra_ca", "kept in no layer"):
        assert said in desc.text, said
    source = ET.tostring(svg, encoding="unicode")
    assert all(t.get("fill") == "currentColor" for t in svg.iter(SVG + "text"))
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(|\b(?:black|white)\b", source)
    assert "<script" not in source and "href" not in source and "url(" not in source
    assert "pt-stack" in svg.get("class").split()  # the stack diagrams' stylesheet


def test_the_layout_is_deterministic_fits_its_width_and_boxes_do_not_overlap():
    data = snapshot()
    assert lab_svg(data, "t") == lab_svg(copy.deepcopy(data), "t")
    svg = svg_of(data)
    width = float(svg.get("width"))
    rects = [(float(r.get("x")), float(r.get("y")), float(r.get("width")),
              float(r.get("height"))) for r in svg.iter(SVG + "rect")]
    assert len(rects) == 5  # the builds, extra_ca, the proxy, two registries
    for x, _, w, _ in rects:
        assert 0 <= x and x + w <= width
    for index, a in enumerate(rects):
        for b in rects[index + 1:]:
            apart = (a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0]
                     or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])
            assert apart, (a, b)
    # No text runs past the picture's right edge (monospace at a generous 7.6px a char).
    for text in svg.iter(SVG + "text"):
        if text.get("text-anchor") in (None, "start") and text.get("font-family"):
            assert float(text.get("x")) + len(text.text or "") * 7.6 <= width + 1, text.text


def test_text_is_escaped():
    data = copy.deepcopy(snapshot())
    data["proxy"]["image"] = "a<b>&c"
    assert "a<b>&c" in texts(svg_of(data))


@pytest.mark.parametrize(("command", "expected_tool", "short"), [
    ("pip download --retries 2 --no-deps --dest /tmp/probe idna==3.20", "pip",
     "pip download idna==3.20"),
    ("UV_HTTP_RETRIES=2 uv pip install --no-deps --target /tmp/probe idna==3.20", "uv",
     "uv pip install idna==3.20"),
    ("npm view --fetch-retries=2 --fetch-retry-mintimeout=1000 ms@2.1.3 version", "npm",
     "npm view ms@2.1.3 version"),
])
def test_a_run_steps_command_is_shown_without_its_options(command, expected_tool, short):
    assert tool(command) == expected_tool
    assert short_command(command) == short


# ---------------------------------------------------------------- the page


def test_the_macro_draws_from_the_snapshot_and_refuses_an_unknown_lab():
    class Env:
        project_dir = str(ROOT)
        macros: dict = {}

        def macro(self, function, name=None):
            self.macros[name or function.__name__] = function
            return function

    env = Env()
    register_diagrams(env)
    figure = env.macros["lab_diagram"]("tls")
    assert figure.startswith('<figure class="pt-stack-figure"><svg') and "\n" not in figure
    assert figure == lab_diagram_html(SPEC, snapshot())
    with pytest.raises(DiagramError, match="no lab 'ssh'"):
        env.macros["lab_diagram"]("ssh")


def test_the_proxies_page_shows_the_picture_in_the_labs_section_outside_code_blocks():
    page = PAGE.read_text()
    section = page.split("### The TLS-interception lab", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### ", 1)[0]
    assert '{{ lab_diagram("tls") }}' in section
    outside = re.sub(r"^```.*?^```", "", section, flags=re.S | re.M)
    assert '{{ lab_diagram("tls") }}' in outside
    assert json.loads((ROOT / SPEC.snapshot).read_text())  # what it draws from exists
