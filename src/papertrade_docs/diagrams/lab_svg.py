"""The TLS-interception lab as inline SVG, from its snapshot (lab.py), in three tiers:

    the builds (one RUN step each: pip, uv, npm)
        │ HTTPS_PROXY (build arg)          ▲ --mount=type=secret
        ▼                                  │
    the lab's proxy (mitmproxy)  ──CA──▶  the extra_ca build secret
        │ checked against upstream_ca
        ▼
    PyPI, the npm registry

Drawn with the stack diagrams' pieces and classes (svg.py: boxes, arrows, text as
text, colours from docs/stylesheets/diagrams.css), so it follows the light and dark
scheme the same way. What each tool says when it meets the lab's CA without trusting
it comes from the page's recorded runs (tests/unit/test_lab_diagram.py checks that the
page still shows each message).
"""

from __future__ import annotations

import hashlib
import shlex
from xml.sax.saxutils import escape

from papertrade_docs.diagrams.svg import (
    CLASS,
    LINE,
    MARGIN,
    MONO_CHAR,
    PAD,
    ROW_GAP,
    Box,
    _box,
    _box_height,
    _n,
    document,
    fit_rows,
)

# Where each tool downloads from by default, and how it fails on a CA it does not trust
# (the proxies page's recorded output, "The TLS-interception lab").
REGISTRIES = {"pip": ("PyPI", "pypi.org"), "uv": ("PyPI", "pypi.org"),
              "npm": ("npm registry", "registry.npmjs.org")}
FAILURES = {"pip": "CERTIFICATE_VERIFY_FAILED", "uv": "UnknownIssuer",
            "npm": "SELF_SIGNED_CERT_IN_CHAIN"}
WIDTH = 720
TABLE_HEAD = 36  # the builds box's title band and its column headings
SIDE_WIDTH = 262  # the extra_ca box, left of the proxy
SIDE_GAP = 48
REGISTRY_WIDTH = 222  # room for registry.npmjs.org beside its key
REGISTRY_GAP = 16


def tool(command: str) -> str:
    """The program a RUN step's command runs (`UV_HTTP_RETRIES=2 uv pip ...` → uv)."""
    for word in shlex.split(command):
        if "=" not in word or word.startswith("-"):
            return word.rsplit("/", 1)[-1]
    return ""


def short_command(command: str) -> str:
    """The command without its options and settings: `pip download idna==3.20`."""
    kept: list[str] = []
    words = shlex.split(command)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)  # VAR=value before the program
    option_value = False
    for word in words:
        if word.startswith("-"):
            option_value = "=" not in word
            continue
        if option_value and (word.startswith("/") or word.isdigit()):
            option_value = False
            continue  # the value of the option before it
        option_value = False
        kept.append(word)
    return " ".join(kept)


def _probes(data: dict) -> list[tuple[str, dict]]:
    probes = data["builds"]["probes"]
    return sorted(probes.items(),
                  key=lambda item: (REGISTRIES.get(tool(item[1]["command"]), ("", "~"))[1],
                                    item[0] != tool(item[1]["command"]), item[0]))


def _registries(data: dict) -> dict[str, tuple[str, list[str]]]:
    """host: (name, the probes that download from it), in the builds' order."""
    found: dict[str, tuple[str, list[str]]] = {}
    for name, probe in _probes(data):
        label, host = REGISTRIES.get(tool(probe["command"]), ("its registry", "upstream"))
        found.setdefault(host, (label, []))[1].append(name)
    return found


def lab_svg(data: dict, title: str) -> str:
    description = describe(data)
    ident = CLASS + "-" + hashlib.sha256((title + description).encode()).hexdigest()[:10]
    proxy, builds = data["proxy"], data["builds"]
    secret = builds["secret"]["name"]
    body: list[str] = []

    # Tier 1: the builds, one row each.
    probes = _probes(data)
    rows = [(name, short_command(p["command"]), p["variable"] or "(not handed over)",
             FAILURES.get(tool(p["command"]), "an untrusted certificate"))
            for name, p in probes]
    headings = ("build", "its RUN step downloads", f"{secret} as", "fails without it")
    widths = [max(len(row[i]) for row in [headings, *rows]) * MONO_CHAR for i in range(4)]
    spare = WIDTH - 2 * MARGIN - 2 * PAD - sum(widths)
    gap = max(12.0, spare / 3)
    top = float(MARGIN)
    builds_height = TABLE_HEAD + 26 + len(rows) * LINE + 6
    body += [
        f'<g class="{CLASS}__service">',
        f'<rect class="{CLASS}__box" x="{MARGIN}" y="{_n(top)}" width="{WIDTH - 2 * MARGIN}" '
        f'height="{_n(builds_height)}" rx="6" fill="none" stroke="currentColor" />',
        f'<path class="{CLASS}__head" d="M{MARGIN} {_n(top + 32)} v-26 a6 6 0 0 1 6 -6 '
        f'h{WIDTH - 2 * MARGIN - 12} a6 6 0 0 1 6 6 v26 z" fill="none" />',
        f'<line class="{CLASS}__rule" x1="{MARGIN}" y1="{_n(top + 32)}" x2="{WIDTH - MARGIN}" '
        f'y2="{_n(top + 32)}" stroke="currentColor" />',
        f'<text class="{CLASS}__name" x="{MARGIN + PAD}" y="{_n(top + 21)}" fill="currentColor" '
        f'font-size="15" font-weight="bold">docker compose build {" ".join(n for n, _ in probes)}'
        "</text>",
        f'<text class="{CLASS}__value" x="{WIDTH - MARGIN - PAD}" y="{_n(top + 21)}" '
        f'text-anchor="end" fill="currentColor" font-family="monospace">'
        f'{escape(builds["source"])}</text>',
    ]
    xs = [MARGIN + PAD + sum(widths[:i]) + i * gap for i in range(4)]
    y = top + TABLE_HEAD + 18
    for x, heading in zip(xs, headings, strict=True):
        body.append(f'<text class="{CLASS}__key" x="{_n(x)}" y="{_n(y)}" '
                    f'fill="currentColor">{escape(heading)}</text>')
    for row in rows:
        y += LINE
        for index, (x, cell) in enumerate(zip(xs, row, strict=True)):
            weight = ' font-weight="bold"' if index == 0 else ""
            body.append(f'<text class="{CLASS}__value" x="{_n(x)}" y="{_n(y)}" '
                        f'fill="currentColor" font-family="monospace"{weight}>'
                        f"{escape(cell)}</text>")
    body.append("</g>")
    builds_bottom = top + builds_height

    # Tier 2: the secret that carries the lab's CA (left), the proxy (right).
    tier2 = builds_bottom + ROW_GAP
    proxy_x = MARGIN + SIDE_WIDTH + SIDE_GAP
    proxy_box = Box(proxy["service"], proxy["image"], [], x=proxy_x, y=tier2,
                    width=WIDTH - MARGIN - proxy_x)
    proxy_box.lines = fit_rows(_proxy_lines(proxy), proxy_box.width)
    proxy_box.height = _box_height(proxy_box)
    mount = next(iter(builds["probes"].values()))["mount"]
    side = Box(secret, "build secret", [], x=MARGIN, y=tier2, width=SIDE_WIDTH)
    side.lines = fit_rows([
        ("holds", f"lab-ca.pem: the proxy's CA, copied out of {proxy['ca_dir']}"),
        ("mounted", mount),
        ("for", "the one RUN step only"),
        ("kept in", "no layer of the image"),
    ], side.width)
    side.height = _box_height(side)
    body += _box(side) + _box(proxy_box)

    # Tier 3: the registries, under the proxy.
    registries = _registries(data)
    tier3 = tier2 + max(side.height, proxy_box.height) + ROW_GAP
    count = len(registries)
    reg_gap = REGISTRY_GAP
    reg_width = max(REGISTRY_WIDTH, (proxy_box.width - (count - 1) * reg_gap) / count)
    reg_left = WIDTH - MARGIN - count * reg_width - (count - 1) * reg_gap
    reg_boxes = []
    for index, (host, (label, users)) in enumerate(registries.items()):
        box = Box(label, "", [("host", host), ("for", ", ".join(users))],
                  x=reg_left + index * (reg_width + reg_gap), y=tier3, width=reg_width)
        box.lines = fit_rows(box.lines, box.width)
        box.height = _box_height(box)
        reg_boxes.append(box)
    reg_height = max(box.height for box in reg_boxes)
    for box in reg_boxes:
        box.height = reg_height
        body += _box(box)

    # The arrows, drawn over the gaps between the tiers.
    port = proxy["listen_port"]
    body += _arrow(proxy_box.centre, builds_bottom, proxy_box.centre, tier2,
                   f"Each build's RUN step goes through the proxy, given HTTPS_PROXY "
                   f"(http://the proxy's address:{port}) as a build argument",
                   ["HTTPS_PROXY (build arg)", f"→ the proxy's :{port}"], "start")
    middle = tier2 + min(side.height, proxy_box.height) / 2
    body += _arrow(proxy_x, middle, MARGIN + SIDE_WIDTH, middle,
                   f"The proxy's CA, copied out of {proxy['ca_dir']}, given to the builds "
                   f"as the {secret} secret", ["CA"], "above", dashed=True)
    body += _arrow(side.centre, tier2, side.centre, builds_bottom,
                   f"The {secret} secret is mounted at {mount} in the RUN step only",
                   ["RUN --mount=type=secret", f"(the builds' {secret})"], "start",
                   dashed=True)
    upstream = next((s for s in proxy["secrets"] if s["target"] == proxy["upstream_trust"]),
                    {"source": proxy["upstream_trust"], "file": ""})
    for index, box in enumerate(reg_boxes):
        label = ["upstream TLS checked", f"against {upstream['source']}",
                 "(the host's CA bundle)"] if index == 0 else []
        body += _arrow(box.centre, tier2 + proxy_box.height, box.centre, tier3,
                       f"The proxy connects to {box.lines[0][1]} and checks its certificate "
                       f"against {upstream['source']} ({upstream['file'] or 'a CA bundle'})",
                       label, "end")
    height = round(tier3 + reg_height + MARGIN)

    return document(ident, title, description, body, height, f"{CLASS} pt-lab", WIDTH)


def _proxy_lines(proxy: dict) -> list[tuple[str, str]]:
    lines = [("runs", f"{proxy['program']}, listening on :{proxy['listen_port']}"),
             ("its CA", f"made when it starts, in {proxy['ca_dir']}")]
    if any(proxy["ca_dir"].startswith(path.rstrip("/") + "/") for path in proxy["tmpfs"]):
        lines.append(("", "(a tmpfs: in no image)"))
    if proxy["network_mode"]:
        network = ("Docker's default bridge" if proxy["network_mode"] == "bridge"
                   else proxy["network_mode"])
    else:
        network = ", ".join(proxy["networks"]) or "default"
    lines.append(("network", network))
    lines.append(("ports", ", ".join(proxy["ports"]) or "none published"))
    for secret in proxy["secrets"]:
        lines.append(("secret", f"{secret['source']} → {secret['target']}"))
        if secret["file"]:
            lines.append(("", f"from {secret['file']}"))
    return lines


def _arrow(x1: float, y1: float, x2: float, y2: float, tooltip: str, label: list[str],
           anchor: str, dashed: bool = False) -> list[str]:
    """An arrow from (x1, y1) to (x2, y2), its label lines beside its middle."""
    dx, dy = x2 - x1, y2 - y1
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    back_x, back_y = x2 - 10 * ux, y2 - 10 * uy
    left = (back_x - 5 * uy, back_y + 5 * ux)
    right = (back_x + 5 * uy, back_y - 5 * ux)
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    parts = [
        f'<g class="{CLASS}__depends"><title>{escape(tooltip)}</title>',
        f'<line class="{CLASS}__edge" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(back_x)}" '
        f'y2="{_n(back_y)}" stroke="currentColor" stroke-width="1.5"{dash} />',
        f'<polygon class="{CLASS}__tip" points="{_n(x2)},{_n(y2)} {_n(left[0])},{_n(left[1])} '
        f'{_n(right[0])},{_n(right[1])}" fill="currentColor" />',
    ]
    mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
    if anchor == "above":  # a short label over a level arrow
        anchor, label_x, first = "middle", mid_x, mid_y - 7
    else:
        label_x = mid_x + 8 if anchor == "start" else mid_x - 8
        first = mid_y - (len(label) - 1) * 16 / 2 + 4
    for index, line in enumerate(label):
        parts.append(
            f'<text class="{CLASS}__label" x="{_n(label_x)}" y="{_n(first + index * 16)}" '
            f'text-anchor="{anchor}" fill="currentColor" font-family="monospace">'
            f"{escape(line)}</text>"
        )
    parts.append("</g>")
    return parts


def describe(data: dict) -> str:
    """Everything the picture shows, in sentences: the SVG's accessible description."""
    proxy, builds = data["proxy"], data["builds"]
    secret = builds["secret"]["name"]
    sentences = [
        f"Drawn from {builds['source']} and {proxy['source']}.",
    ]
    for name, probe in _probes(data):
        label, host = REGISTRIES.get(tool(probe["command"]), ("its registry", "upstream"))
        sentences.append(
            f"The build {name} ({probe['dockerfile']}, from {probe['from']}) runs "
            f"`{probe['command']}` in one RUN step, downloading from {label} ({host}) "
            f"through the proxy given as HTTPS_PROXY; it trusts the {secret} secret "
            f"(mounted at {probe['mount']}) as {probe['variable'] or 'nothing'}; without "
            f"the lab's CA it fails with {FAILURES.get(tool(probe['command']), 'an error')}."
        )
    ports = ", ".join(proxy["ports"]) or "no port"
    upstream = "; ".join(f"secret {s['source']} at {s['target']}"
                         + (f" from {s['file']}" if s["file"] else "") for s in proxy["secrets"])
    sentences.append(
        f"The proxy, service {proxy['service']} (image {proxy['image']}, {proxy['script']}), "
        f"runs {proxy['program']} on port {proxy['listen_port']}, makes a new CA in "
        f"{proxy['ca_dir']} when it starts, is on network mode "
        f"{proxy['network_mode'] or ', '.join(proxy['networks'])} and publishes {ports}; "
        f"it checks upstream certificates against {proxy['upstream_trust']} ({upstream})."
    )
    sentences.append(
        f"Its CA, copied out as lab-ca.pem, goes back to the builds as the build secret "
        f"{secret}, mounted for the one RUN step only and kept in no layer."
    )
    return " ".join(sentences)
