"""The other-architecture macros (`make test-arm64`): each image's size there beside the
native one, an image whose build files changed since marked so, and an honest sentence
when nothing was measured for the platform."""

from __future__ import annotations

import pytest
from sample_measurements import sample

from papertrade_docs.macros.figures import figure_macros
from papertrade_docs.measure.images import IMAGES
from papertrade_docs.measure.measurements import Measurements, MeasurementsError, validate


def arm64_section(context_hash: str = "sha256:" + "0" * 64) -> dict:
    return {
        "measured": {"when": "2026-11-30T21:40:00Z",
                     "where": {"architecture": "x86_64", "engine_version": "20.10.24"},
                     "how": {"command": "make test-arm64"}},
        "images": {image.name: {"image": f"papertrade-arm64/{image.name}",
                                "size_bytes": 12_300_000, "layers": 2,
                                "context_hash": context_hash,
                                "smoke": "aarch64 3.13.5 | ok"} for image in IMAGES},
    }


def macros_for(document):
    data = Measurements(document, "docs/data/measurements.json")
    return figure_macros(lambda: data)


def test_each_image_is_shown_on_both_architectures():
    document = sample()
    document["measured"]["where"]["architecture"] = "x86_64"
    document["platforms"] = {"linux/arm64": arm64_section()}
    validate(document)
    rows = macros_for(document)["platform_table"]().splitlines()
    assert rows[0] == "| Image | x86_64 | arm64 | What it ran on arm64 |"
    assert len(rows) == 2 + len(IMAGES)
    assert rows[2].startswith(f"| {IMAGES[0].name} | ")
    assert rows[2].endswith("| 12 MB | `aarch64 3.13.5 \\| ok` |")
    said = macros_for(document)["platform_measured_on"]()
    assert said.startswith(
        "Built for linux/arm64 on 2026-11-30 at 21:40 UTC by `make test-arm64`")


def test_an_image_built_from_older_files_says_so():
    document = sample()
    document["platforms"] = {"linux/arm64": arm64_section("sha256:" + "1" * 64)}
    assert "(older build files: run `make test-arm64`)" in macros_for(document)["platform_table"]()


def test_nothing_measured_yet_is_said_not_invented():
    macros = macros_for(sample())
    assert macros["platform_table"]() == (
        "*Not measured for linux/arm64 yet: run `make test-arm64`.*\n")
    assert "No images have been measured for linux/arm64 yet" in macros["platform_measured_on"]()


def test_a_platform_section_missing_an_image_is_refused():
    document = sample()
    document["platforms"] = {"linux/arm64": arm64_section()}
    del document["platforms"]["linux/arm64"]["images"]["cache"]
    with pytest.raises(MeasurementsError, match=r"platforms\.linux/arm64\.images\.cache"):
        validate(document)


def test_the_run_time_says_whether_the_build_cache_helped():
    document = sample()
    section = arm64_section()
    section["measured"]["how"].update(seconds=2220.4, build_cache="none")
    document["platforms"] = {"linux/arm64": section}
    validate(document)
    said = macros_for(document)["platform_measured_on"]()
    assert "took about 37 min without the build cache (a first run)." in said
    section["measured"]["how"].update(seconds=95.0, build_cache="reused")
    assert "took 95.0 s reusing the build cache." in macros_for(document)["platform_measured_on"]()


@pytest.mark.parametrize("how", [{"seconds": 0}, {"seconds": "long"}, {"seconds": True},
                                 {"build_cache": "warm"}])
def test_a_run_time_that_is_not_a_figure_is_refused(how):
    document = sample()
    section = arm64_section()
    section["measured"]["how"].update(how)
    document["platforms"] = {"linux/arm64": section}
    with pytest.raises(MeasurementsError, match="platforms.linux/arm64.measured.how"):
        validate(document)
