"""A stack's diagram as inline SVG, laid out by this code: no Graphviz, no JavaScript.

The layout is fixed by the data alone, so the same snapshot always gives the same
bytes. Services sit in rows by `depends_on`: a service is drawn one row below every
service that waits for it (the frontend on top, the databases at the bottom), each row
in the order that keeps arrows short (then by name). An arrow goes from a service to
one it waits for, labelled with the condition (an arrow that skips a row is drawn
straight across it; neither stack has one). Each box lists the image, the build
(context, target, and the stages that mount each build secret), published ports with
their host address, mounts and networks; under the boxes, the networks, named volumes
and secrets with who uses them.

Colours come from CSS classes (docs/stylesheets/diagrams.css, Material's variables) so
the picture follows the light and dark scheme; the presentation attributes
(`currentColor`, no fill) keep it readable where that stylesheet is absent. All text is
`currentColor` or Material's secondary text colour on the page's own background, for
contrast as high as the page's text.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

WIDTH = 720  # the content column of a page at common widths: drawn near 1:1
MARGIN = 2  # room for the boxes' strokes at the edges
GAP_X = 24  # between boxes in a row
MAX_PER_ROW = 2  # wide enough for a volume's mount point on one line
ROW_GAP = 68  # between rows: the arrows and their labels
PAD = 10  # left of a box's text
PAD_RIGHT = 4
HEAD = 32  # a box's title band: the service's name and image
LINE = 19  # one line of a box or of the legend
KEY_WIDTH = 68  # the key column of a box ("networks", "secret")
MONO_CHAR = 7.6  # a generous width of one 12.5px monospace character
SANS_CHAR = 9.0  # the same for 15px bold
PANEL_GAP = 28  # between the last row and the networks, volumes and secrets
PANEL_COLUMN_GAP = 16
DETAIL_INDENT = 10  # the lines under a network's, volume's or secret's name
CLASS = "pt-stack"


@dataclass
class Box:
    name: str
    image: str
    lines: list[tuple[str, str]]  # (key, value); the key is empty on continuation lines
    rank: int = 0
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    order: float = 0

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class Column:
    heading: str
    entries: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, details)


def stack_svg(data: dict, title: str) -> str:
    """The diagram of a stack snapshot (see compose.reduce) as one line of SVG."""
    services = data["services"]
    if not services:
        raise ValueError(f"{data.get('source', 'the stack')} has no services to draw")
    description = describe(data)
    ident = CLASS + "-" + hashlib.sha256((title + description).encode()).hexdigest()[:10]

    ranks = _rows(_ranks(services))
    per_row = max(list(ranks.values()).count(rank) for rank in set(ranks.values()))
    box_width = min(360.0, (WIDTH - 2 * MARGIN - (per_row - 1) * GAP_X) / per_row)
    boxes = {
        name: Box(name, services[name].get("image", ""), _lines(services[name], box_width),
                  rank=ranks[name], width=box_width)
        for name in sorted(services)
    }
    for box in boxes.values():
        box.lines = _fit_image(box)
    rows = _place(boxes, services)
    body: list[str] = []
    for source in sorted(services):
        body += _arrows(boxes, source, services)
    for row in rows:
        for box in row:
            body += _box(box)
    bottom = max(box.y + box.height for box in boxes.values())
    panel, panel_height = _panel(data, bottom + PANEL_GAP)
    body += panel
    height = round(bottom + PANEL_GAP + panel_height + MARGIN)

    return document(ident, title, description, body, height)


def document(ident: str, title: str, description: str, body: list[str], height: int,
             classes: str = CLASS, width: int = WIDTH) -> str:
    """The whole <svg>: scaled to its column, in the page's font and colour, named for
    screen readers by its title and description."""
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        'style="max-width: 100%; height: auto; color: inherit; font-size: 12.5px" '
        'font-family="inherit">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        *body,
        "</svg>",
    ])


# ---------------------------------------------------------------- what each box says


def port_text(port: dict) -> str:
    """`127.0.0.1:8000→8000`, as `docker ps` writes it (with an arrow); `/udp` when not TCP."""
    host = port.get("host_ip") or "0.0.0.0"
    published = port.get("published") or "(random)"
    protocol = "" if port.get("protocol", "tcp") == "tcp" else "/" + port["protocol"]
    return f"{host}:{published}→{port['target']}{protocol}"


def mount_text(mount: dict) -> tuple[str, str]:
    target = mount["target"] + (" (read-only)" if mount.get("read_only") else "")
    if mount["type"] == "volume":
        return "volume", f"{mount['source'] or '(anonymous)'} → {target}"
    if mount["type"] == "bind":
        return "bind", f"{mount['source']} → {target}"
    return mount["type"], f"{mount.get('source') or ''} → {target}".lstrip(" →")


def build_text(build: dict) -> str:
    text = build["context"]
    if build.get("dockerfile") and build["dockerfile"] != "Dockerfile":
        text += f" ({build['dockerfile']})"
    if build.get("target"):
        text += f", target {build['target']}"
    return text


def secret_stage_text(secret: str, stages: list[str] | None, long: bool = False) -> str:
    """`extra_ca in builder, dev-venv`: the build stages that mount the secret."""
    if stages is None:
        return f"{secret} (build)"
    if not stages:
        return f"{secret} (no stage mounts it)"
    where = ("stage " if len(stages) == 1 else "stages ") if long else ""
    return f"{secret} in {where}{', '.join(stages)}"


def condition_text(dependency: dict) -> str:
    text = dependency.get("condition", "service_started")
    if not dependency.get("required", True):
        text += ", optional"
    if dependency.get("restart"):
        text += ", restart"
    return text


def _lines(service: dict, box_width: float) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [("image", service.get("image", ""))]
    if "replicas" in service:
        update = service.get("update_order")
        lines.append(("replicas", f"{service['replicas']}"
                      + (f", updated {update}" if update else "")))
    build = service.get("build")
    if build:
        lines.append(("build", build_text(build)))
        for secret in build.get("secrets", []):
            stages = build.get("secret_stages", {}).get(secret)
            lines.append(("secret", secret_stage_text(secret, stages)))
    for port in service.get("ports", []):
        lines.append(("port", port_text(port)))
    for mount in service.get("mounts", []):
        lines.append(mount_text(mount))
    for path in service.get("tmpfs", []):
        lines.append(("tmpfs", path))
    for secret in service.get("secrets", []):
        lines.append(("secret", f"{secret['source']} → {secret['target']}"))
    networks = service.get("networks", [])
    if networks:
        lines.append(("network" if len(networks) == 1 else "networks", ", ".join(networks)))
    return fit_rows(lines, box_width)


def fit_rows(lines: list[tuple[str, str]], box_width: float) -> list[tuple[str, str]]:
    """Key/value rows wrapped to a box's width, the key on the first line of each."""
    room = _chars(box_width - PAD - PAD_RIGHT - KEY_WIDTH)
    wrapped = []
    for key, value in lines:
        for index, part in enumerate(_wrap(value, room)):
            wrapped.append((key if index == 0 else "", part))
    return wrapped


def _fit_image(box: Box) -> list[tuple[str, str]]:
    """The image goes in the title band, right of the name, when both fit there."""
    image_line = box.lines[0] if box.lines and box.lines[0][0] == "image" else None
    if image_line is None or (len(box.lines) > 1 and box.lines[1][0] == ""):
        return box.lines  # no image, or one that needed wrapping: it stays a line
    needed = 3 * PAD + len(box.name) * SANS_CHAR + len(image_line[1]) * MONO_CHAR
    return box.lines[1:] if needed <= box.width else box.lines


def _image_in_head(box: Box) -> bool:
    return not (box.lines and box.lines[0][0] == "image")


# ---------------------------------------------------------------- layout


def _ranks(services: dict) -> dict[str, int]:
    """Row of each service: one below the lowest service that waits for it."""
    waiting_for: dict[str, list[str]] = {name: [] for name in services}
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            if dependency in waiting_for:
                waiting_for[dependency].append(name)
    ranks: dict[str, int] = {}

    def rank(name: str, seen: tuple[str, ...] = ()) -> int:
        if name in ranks:
            return ranks[name]
        if name in seen:  # Compose refuses cycles; never loop on one anyway
            return 0
        value = max((rank(waiter, (*seen, name)) + 1 for waiter in waiting_for[name]), default=0)
        ranks[name] = value
        return value

    for name in sorted(services):
        rank(name)
    return ranks


def _rows(ranks: dict[str, int]) -> dict[str, int]:
    """Row of each service: its rank's, in rows of at most MAX_PER_ROW (a stack whose
    services wait for none, a swarm's, would otherwise squeeze them all into one)."""
    rows: dict[str, int] = {}
    row = 0
    for rank in sorted(set(ranks.values())):
        names = sorted(name for name, value in ranks.items() if value == rank)
        for start in range(0, len(names), MAX_PER_ROW):
            rows.update({name: row for name in names[start:start + MAX_PER_ROW]})
            row += 1
    return rows


def _place(boxes: dict[str, Box], services: dict) -> list[list[Box]]:
    rows: list[list[Box]] = []
    y = float(MARGIN)
    for rank in range(max(box.rank for box in boxes.values()) + 1):
        row = [box for box in boxes.values() if box.rank == rank]
        for box in row:
            # Under the services that wait for it (the rows above are placed already).
            above = [boxes[n].centre for n, s in services.items()
                     if box.name in s.get("depends_on", {}) and boxes[n].rank < rank]
            box.order = sum(above) / len(above) if above else 0.0
        row.sort(key=lambda box: (box.order, box.name))
        width = len(row) * row[0].width + (len(row) - 1) * GAP_X
        x = (WIDTH - width) / 2
        height = max(_box_height(box) for box in row)
        for box in row:
            box.x, box.y, box.height = x, y, height
            x += box.width + GAP_X
        rows.append(row)
        y += height + ROW_GAP
    return rows


def _box_height(box: Box) -> float:
    return HEAD + 8 + len(box.lines) * LINE + 4


# ---------------------------------------------------------------- drawing


def _box(box: Box) -> list[str]:
    x, y = _n(box.x), _n(box.y)
    parts = [
        f'<g class="{CLASS}__service">',
        f'<rect class="{CLASS}__box" x="{x}" y="{y}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="6" fill="none" stroke="currentColor" />',
        f'<path class="{CLASS}__head" d="M{x} {_n(box.y + HEAD)} v{-HEAD + 6} '
        f'a6 6 0 0 1 6 -6 h{_n(box.width - 12)} a6 6 0 0 1 6 6 v{HEAD - 6} z" fill="none" />',
        f'<line class="{CLASS}__rule" x1="{x}" y1="{_n(box.y + HEAD)}" '
        f'x2="{_n(box.x + box.width)}" y2="{_n(box.y + HEAD)}" stroke="currentColor" />',
        f'<text class="{CLASS}__name" x="{_n(box.x + PAD)}" y="{_n(box.y + 21)}" '
        f'fill="currentColor" font-size="15" font-weight="bold">{escape(box.name)}</text>',
    ]
    if _image_in_head(box):
        parts.append(
            f'<text class="{CLASS}__value" x="{_n(box.x + box.width - PAD)}" '
            f'y="{_n(box.y + 21)}" text-anchor="end" fill="currentColor" '
            f'font-family="monospace">{escape(box.image)}</text>'
        )
    for index, (key, value) in enumerate(box.lines):
        baseline = _n(box.y + HEAD + 8 + index * LINE + 13)
        if key:
            parts.append(
                f'<text class="{CLASS}__key" x="{_n(box.x + PAD)}" y="{baseline}" '
                f'fill="currentColor">{escape(key)}</text>'
            )
        # Published ports in bold: what a reader opens in a browser or connects to.
        weight = ' font-weight="bold"' if _key_of(box, index) == "port" else ""
        parts.append(
            f'<text class="{CLASS}__value" x="{_n(box.x + PAD + KEY_WIDTH)}" y="{baseline}" '
            f'fill="currentColor" font-family="monospace"{weight}>{escape(value)}</text>'
        )
    parts.append("</g>")
    return parts


def _key_of(box: Box, index: int) -> str:
    """The key of line `index`, looking back over continuation lines."""
    while index > 0 and not box.lines[index][0]:
        index -= 1
    return box.lines[index][0]


def _arrows(boxes: dict[str, Box], source: str, services: dict) -> list[str]:
    start_box = boxes[source]
    targets = [t for t in services[source].get("depends_on", {}) if t in boxes]
    targets.sort(key=lambda t: (boxes[t].centre, t))
    parts = []
    for index, target in enumerate(targets):
        end_box = boxes[target]
        x1 = start_box.x + start_box.width * (index + 1) / (len(targets) + 1)
        y1 = start_box.y + start_box.height
        waiters = sorted((s for s in services if target in services[s].get("depends_on", {})),
                         key=lambda s: (boxes[s].centre, s))
        slot = waiters.index(source)
        x2 = end_box.x + end_box.width * (slot + 1) / (len(waiters) + 1)
        y2 = end_box.y
        label = condition_text(services[source]["depends_on"][target])
        parts += _arrow(x1, y1, x2, y2, f"{source} waits for {target}: {label}", label)
    return parts


def _arrow(x1: float, y1: float, x2: float, y2: float, tooltip: str, label: str) -> list[str]:
    dx, dy = x2 - x1, y2 - y1
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    # The head: a triangle whose tip touches the target's top edge.
    back_x, back_y = x2 - 10 * ux, y2 - 10 * uy
    left = (back_x - 5 * uy, back_y + 5 * ux)
    right = (back_x + 5 * uy, back_y - 5 * ux)
    mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
    if abs(dx) < 1:
        anchor, label_x = "start", mid_x + 8
    elif dx < 0:
        anchor, label_x = "end", mid_x - 8
    else:
        anchor, label_x = "start", mid_x + 8
    width = len(label) * MONO_CHAR
    box_x = label_x - width - 3 if anchor == "end" else label_x - 3
    return [
        f'<g class="{CLASS}__depends"><title>{escape(tooltip)}</title>',
        f'<line class="{CLASS}__edge" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(back_x)}" '
        f'y2="{_n(back_y)}" stroke="currentColor" stroke-width="1.5" />',
        f'<polygon class="{CLASS}__tip" points="{_n(x2)},{_n(y2)} {_n(left[0])},{_n(left[1])} '
        f'{_n(right[0])},{_n(right[1])}" fill="currentColor" />',
        f'<rect class="{CLASS}__label-ground" x="{_n(box_x)}" y="{_n(mid_y - 10)}" '
        f'width="{_n(width + 6)}" height="16" fill="none" />',
        f'<text class="{CLASS}__label" x="{_n(label_x)}" y="{_n(mid_y + 2)}" '
        f'text-anchor="{anchor}" fill="currentColor" font-family="monospace">'
        f"{escape(label)}</text>",
        "</g>",
    ]


def _panel(data: dict, top: float) -> tuple[list[str], float]:
    columns = [column for column in _columns(data) if column.entries]
    if not columns:
        return [], 0.0
    widths = _column_widths(columns)
    parts = [
        f'<line class="{CLASS}__rule" x1="{MARGIN}" y1="{_n(top - 12)}" '
        f'x2="{WIDTH - MARGIN}" y2="{_n(top - 12)}" stroke="currentColor" />'
    ]
    tallest = 0.0
    x = float(MARGIN)
    for column, width in zip(columns, widths, strict=True):
        room = _chars(width - DETAIL_INDENT)
        y = top + 14
        parts.append(
            f'<text class="{CLASS}__heading" x="{_n(x)}" y="{_n(y)}" fill="currentColor" '
            f'font-size="14" font-weight="bold">{escape(column.heading)}</text>'
        )
        for name, details in column.entries:
            for index_, part in enumerate(_wrap(name, _chars(width))):
                y += LINE + (4 if index_ == 0 else 0)
                parts.append(
                    f'<text class="{CLASS}__value {CLASS}__entry" x="{_n(x)}" y="{_n(y)}" '
                    f'fill="currentColor" font-family="monospace" font-weight="bold">'
                    f"{escape(part)}</text>"
                )
            for detail in details:
                for part in _wrap(detail, room):
                    y += LINE
                    parts.append(
                        f'<text class="{CLASS}__value" x="{_n(x + DETAIL_INDENT)}" '
                        f'y="{_n(y)}" fill="currentColor" font-family="monospace">'
                        f"{escape(part)}</text>"
                    )
        tallest = max(tallest, y - top + 8)
        x += width + PANEL_COLUMN_GAP
    return parts, tallest


def _column_widths(columns: list[Column]) -> list[float]:
    """Each column as wide as its longest line, the room left shared out evenly; when
    they do not fit, in proportion to those widths (and the long lines wrap)."""
    available = WIDTH - 2 * MARGIN - (len(columns) - 1) * PANEL_COLUMN_GAP
    natural = []
    for column in columns:
        longest = max(
            [len(column.heading) * SANS_CHAR / MONO_CHAR]
            + [len(name) for name, _ in column.entries]
            + [len(detail) + DETAIL_INDENT / MONO_CHAR
               for _, details in column.entries for detail in details]
        )
        natural.append(longest * MONO_CHAR + 4)
    spare = available - sum(natural)
    if spare >= 0:
        return [width + spare / len(columns) for width in natural]
    return [available * width / sum(natural) for width in natural]


def _columns(data: dict) -> list[Column]:
    services = data["services"]
    networks = Column("Networks")
    for name, network in data.get("networks", {}).items():
        members = [s for s in sorted(services) if name in services[s].get("networks", [])]
        flags = [flag for flag in ("internal", "external") if network.get(flag)]
        label = name + (f" ({', '.join(flags)})" if flags else "")
        networks.entries.append((label, [", ".join(members) or "no service"]))
    volumes = Column("Named volumes")
    for name, volume in data.get("volumes", {}).items():
        users = [
            f"{s}: {m['target']}"
            for s in sorted(services)
            for m in services[s].get("mounts", [])
            if m["type"] == "volume" and m["source"] == name
        ]
        label = name + (" (external)" if volume.get("external") else "")
        volumes.entries.append((label, users or ["no service"]))
    secrets = Column("Secrets")
    for name, secret in data.get("secrets", {}).items():
        builds = [s for s in sorted(services)
                  if name in (services[s].get("build") or {}).get("secrets", [])]
        runs = [s for s in sorted(services)
                if any(e["source"] == name for e in services[s].get("secrets", []))]
        details = []
        if builds:
            details.append("builds of " + ", ".join(builds))
        details.append("containers: " + ", ".join(runs) if runs else "in no container")
        secrets.entries.append((f"{name} (from {secret.get('from', 'file')})", details))
    return [networks, volumes, secrets]


# ---------------------------------------------------------------- the words


def describe(data: dict) -> str:
    """Everything the picture shows, in sentences: the SVG's accessible description."""
    services = data["services"]
    sentences = [
        f"{data.get('source', 'The Compose file')} as docker compose config reads it "
        f"(project {data.get('project') or 'unnamed'}), {len(services)} services."
    ]
    for name in sorted(services):
        service = services[name]
        said = [f"image {service.get('image', '')}"]
        build = service.get("build")
        if build:
            said.append(f"built from {build_text(build)}")
            for secret in build.get("secrets", []):
                stages = build.get("secret_stages", {}).get(secret)
                said.append(f"build secret {secret_stage_text(secret, stages, long=True)}")
        ports = [port_text(port) for port in service.get("ports", [])]
        said.append("publishes " + ", ".join(ports) if ports else "publishes no port")
        mounts = [" ".join(mount_text(m)) for m in service.get("mounts", [])]
        mounts += [f"tmpfs {path}" for path in service.get("tmpfs", [])]
        if mounts:
            said.append("mounts " + "; ".join(mounts))
        if service.get("networks"):
            said.append("on network " + ", ".join(service["networks"]))
        waits = [f"{t} ({condition_text(d)})" for t, d in service.get("depends_on", {}).items()]
        if waits:
            said.append("waits for " + ", ".join(waits))
        sentences.append(f"Service {name}: " + "; ".join(said) + ".")
    for column in _columns(data):
        if column.entries:
            listed = "; ".join(f"{n}: {', '.join(d)}" for n, d in column.entries)
            sentences.append(f"{column.heading}: {listed}.")
    return " ".join(sentences)


def _wrap(text: str, room: int) -> list[str]:
    if len(text) <= room:
        return [text]
    return textwrap.wrap(text, max(room, 8), break_on_hyphens=False) or [text]


def _chars(width: float) -> int:
    return max(8, int(width // MONO_CHAR))


def _n(value: float) -> str:
    """Coordinates with at most one decimal, and none when whole: stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text

