"""The measured figures as page macros: sizes, stack timings, the table and the chart
(build times and the installer comparison: build_times.py).

Plain functions over a `Measurements`, registered by `papertrade_docs.macros.main`; each
raises `MeasurementsError` (naming the key and saying to run `make measure`) when a
page asks for a figure that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from papertrade_docs.macros import chart
from papertrade_docs.macros.build_times import build_time_macros
from papertrade_docs.macros.platforms import platform_macros
from papertrade_docs.measure import figure_text
from papertrade_docs.measure.images import IMAGES, MB, STACK_FIGURES, image, stated_size
from papertrade_docs.measure.measurements import REMEDY, Measurements, MeasurementsError

STATED_SOURCES_NOTE = (
    "Sizes stated elsewhere: PaperTrade's previous images as its Docker progress note of "
    "3 January 2026 gives them; the official images as stated on Docker Hub at the time."
)


def figure_macros(measurements: Callable[[], Measurements]) -> dict[str, Callable]:
    """Macro name -> function; `measurements` is called when a macro first needs data."""

    def image_size(name: str) -> str:
        return figure_text.megabytes(measurements().image_field(name, "size_bytes"))

    def image_layers(name: str) -> str:
        return str(measurements().image_field(name, "layers"))

    def image_budget(name: str) -> str:
        return figure_text.megabytes(_image(name).budget_bytes)

    def stated_image_size(name: str) -> str:
        stated = stated_size(_image(name).name)
        if stated is None:
            raise MeasurementsError(
                f"stated_image_size({name!r}): no size stated elsewhere for {name!r} "
                "(src/papertrade_docs/measure/images.py lists them)"
            )
        return figure_text.stated(stated)

    def base_image_size(reference: str = "debian:trixie-slim") -> str:
        return figure_text.megabytes(measurements().base_image(reference)["size_bytes"])

    def base_image_origin(reference: str = "debian:trixie-slim") -> str:
        """How the base image came to be: bootstrapped here (and how) or pulled."""
        provenance = measurements().base_image(reference)["provenance"]
        if provenance.get("source") == "bootstrapped":
            return f"bootstrapped from Debian's packages (`{provenance['how']}`)"
        return "pulled from a registry"

    def stack_figure(key: str) -> str:
        if key not in STACK_FIGURES:
            raise MeasurementsError(
                f"stack_figure({key!r}): no such stack figure "
                f"(known: {', '.join(STACK_FIGURES)}); {REMEDY} after adding it"
            )
        return figure_text.seconds(measurements().stack(key))

    def swarm_figure(key: str) -> str:
        """A figure of the rolling update on a swarm: seconds, or a count."""
        value = measurements().swarm(key)
        return figure_text.seconds(value) if key.endswith("_seconds") else f"{value:,}"

    def measured_on() -> str:
        return figure_text.measured_on(measurements().measured)

    def images_table() -> str:
        return render_images_table(measurements())

    def size_chart() -> str:
        return render_size_chart(measurements())

    return {
        f.__name__: f
        for f in (
            image_size,
            image_layers,
            image_budget,
            stated_image_size,
            base_image_size,
            base_image_origin,
            stack_figure,
            swarm_figure,
            measured_on,
            images_table,
            size_chart,
        )
    } | build_time_macros(measurements) | platform_macros(measurements)


def render_images_table(data: Measurements) -> str:
    lines = [
        "| Image | Size | Layers | Budget | Stated elsewhere |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for spec in IMAGES:
        figures_ = data.image(spec.name)
        stated = stated_size(spec.name)
        stated_text = _stated_text(stated) if stated else "none"
        lines.append(
            f"| `{data.image_field(spec.name, 'image')}` "
            f"| {figure_text.megabytes(figures_['size_bytes'])} | {figures_['layers']} "
            f"| under {figure_text.megabytes(spec.budget_bytes)} | {stated_text} |"
        )
    return "\n".join(lines) + "\n\n" + STATED_SOURCES_NOTE + "\n"


def _stated_text(stated) -> str:
    return f"{figure_text.stated(stated)} ({stated.what})"


def render_size_chart(data: Measurements) -> str:
    rows, described = [], []
    for spec in IMAGES:
        size = data.image_field(spec.name, "size_bytes")
        stated = stated_size(spec.name)
        budget = f"under {figure_text.megabytes(spec.budget_bytes)}"
        described.append(f"{spec.name}: {figure_text.megabytes(size)} measured, budget {budget}"
                         + (f", {_stated_text(stated)}" if stated else ""))
        rows.append(
            chart.Row(
                label=spec.name,
                value=size / MB,
                value_text=figure_text.megabytes(size),
                reference=stated.size_bytes / MB if stated else None,
                reference_text=_stated_text(stated) if stated else "",
                limit=spec.budget_bytes / MB,
                limit_text=f"budget: {budget}",
            )
        )
    description = "; ".join(described)
    svg = chart.bar_chart(
        rows,
        title="Image sizes: measured, against budget and sizes stated elsewhere",
        description=description + ".",
        legend=chart.Legend(
            value="measured", reference="previous / official image", limit="budget"
        ),
        axis_text=lambda megabytes: f"{megabytes:g} MB",
    )
    # A block-level element around the SVG keeps Markdown from wrapping it in <p>.
    return (
        f'<figure class="size-chart">{svg}<figcaption>Image sizes in decimal megabytes. '
        f"{STATED_SOURCES_NOTE}</figcaption></figure>"
    )


def _image(name: str):
    try:
        return image(name)
    except KeyError as error:
        raise MeasurementsError(f"{error.args[0]}; {REMEDY} after adding it") from None
