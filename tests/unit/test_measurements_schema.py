"""The data file's shape is checked, and every failure names the key and the remedy."""

from __future__ import annotations

import json

import pytest
from sample_measurements import sample

from papertrade_docs.measure.measurements import (
    Measurements,
    MeasurementsError,
    load,
    validate,
    write_atomically,
)


def test_a_complete_document_passes():
    validate(sample())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["images"].pop("cache"), r"images\.cache is missing"),
        (lambda d: d["images"]["db"].pop("context_hash"), r"images\.db\.context_hash is missing"),
        (lambda d: d["images"]["db"].update(size_bytes="74 MB"), r"size_bytes must be an integer"),
        (lambda d: d["images"]["db"].update(size_bytes=True), r"size_bytes must be an integer"),
        (lambda d: d["images"]["db"].update(layers=0), r"images\.db\.layers must be positive"),
        (lambda d: d["images"]["db"].update(context_hash="abc"), r"must start with 'sha256:'"),
        (lambda d: d["stack"].pop("frontend_hmr_seconds"), r"stack\.frontend_hmr_seconds is"),
        (lambda d: d["stack"].update(dev_ready_seconds=-1), r"positive number of seconds"),
        (lambda d: d["measured"].update(when="yesterday"), r"measured\.when is not an ISO"),
        (lambda d: d["measured"]["where"].pop("cpus"), r"measured\.where\.cpus is missing"),
        (lambda d: d.pop("measured"), r"measured is missing"),
        (lambda d: d["compose_files"].clear(), r"compose_files\.compose\.yaml is missing"),
        (
            lambda d: d["base_images"]["debian:trixie-slim"].pop("size_bytes"),
            r"base_images\.debian:trixie-slim\.size_bytes is missing",
        ),
        (
            lambda d: d["images"]["db"].pop("cold_build_seconds"),
            r"images\.db\.cold_build_seconds is missing",
        ),
        (
            lambda d: d["images"]["db"].update(warm_build_seconds=0),
            r"images\.db\.warm_build_seconds must be positive",
        ),
        (
            lambda d: d["measured"]["how"].pop("cold_build"),
            r"measured\.how\.cold_build is missing",
        ),
    ],
)
def test_each_defect_is_named_with_the_remedy(change, message):
    document = sample()
    change(document)
    with pytest.raises(MeasurementsError, match=message) as error:
        validate(document, "docs/data/measurements.json")
    assert str(error.value).startswith("docs/data/measurements.json: ")
    assert str(error.value).endswith("run `make measure`")
    assert "\n" not in str(error.value)


def test_a_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(MeasurementsError, match=r"does not exist: run `make measure` to create"):
        load(tmp_path / "measurements.json")


def test_broken_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "measurements.json"
    path.write_text('{\n  "images": {\n    oops\n')
    with pytest.raises(MeasurementsError, match=r"measurements\.json:3: not valid JSON"):
        load(path)


def test_lookups_of_unknown_names_list_what_there_is():
    data = Measurements(sample(), "m.json")
    with pytest.raises(MeasurementsError, match=r"no image 'worker' under `images` \(measured: "):
        data.image("worker")
    with pytest.raises(MeasurementsError, match=r"no figure images\.db\.colour \(have: "):
        data.image_field("db", "colour")
    with pytest.raises(MeasurementsError, match=r"no figure stack\.boot_seconds .*make measure"):
        data.stack("boot_seconds")


def test_writing_replaces_the_file_whole_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "data" / "measurements.json"
    write_atomically(path, sample())
    assert json.loads(path.read_text()) == sample()
    assert [p.name for p in path.parent.iterdir()] == ["measurements.json"]


def test_invalid_data_is_never_written(tmp_path):
    path = tmp_path / "measurements.json"
    path.write_text("{}")
    broken = sample()
    del broken["stack"]
    with pytest.raises(MeasurementsError):
        write_atomically(path, broken)
    assert path.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["measurements.json"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda i: i["measured"]["machine"].pop("architecture"),
            r"installers\.measured\.machine\.architecture is missing",
        ),
        (
            lambda i: i["measured"]["machine"].update(kernel="6.18.44"),
            r"installers\.measured\.machine\.kernel must not be recorded",
        ),
        (lambda i: i["measured"].update(when="today"), r"installers\.measured\.when is not an"),
        (lambda i: i["installers"].pop("uv"), r"installers\.installers\.uv is missing"),
        (
            lambda i: i["installers"]["uv"].pop("tool_seconds"),
            r"installers\.installers\.uv\.tool_seconds is missing",
        ),
        (
            lambda i: i["installers"]["pip"].update(lock_seconds=-1.0),
            r"installers\.installers\.pip\.lock_seconds must be a positive number",
        ),
        (
            lambda i: i["installers"]["pip"]["samples"]["build"].pop(),
            r"installers\.installers\.pip\.samples\.build must hold 3 tries",
        ),
        (lambda i: i["lock"].pop("sha256"), r"installers\.lock\.sha256 is missing"),
    ],
)
def test_each_defect_of_the_installer_comparison_names_its_own_command(change, message):
    document = sample()
    change(document["installers"])
    with pytest.raises(MeasurementsError, match=message) as error:
        validate(document, "docs/data/measurements.json")
    assert str(error.value).endswith("run `make measure-installers`")


def test_the_installer_comparison_may_be_absent_until_a_page_asks_for_it():
    document = sample()
    del document["installers"]
    validate(document)
    with pytest.raises(MeasurementsError, match=r"no `installers` section.*measure-installers"):
        Measurements(document, "m.json").installers()


SWARM = {"measured": {"when": "2026-11-30T21:38:14Z", "command": "make measure"},
         "how": "a rolling update under load", "rolling_update_seconds": 34.3,
         "update_requests": 4142, "update_failed_requests": 0}


def test_the_swarm_section_is_optional_and_read_by_key():
    data = sample()
    with pytest.raises(MeasurementsError, match=r"no figure swarm\.update_requests.*--swarm"):
        Measurements(data).swarm("update_requests")
    data["swarm"] = dict(SWARM)
    assert Measurements(data).swarm("update_failed_requests") == 0


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s.pop("update_failed_requests"), r"swarm\.update_failed_requests must be"),
    (lambda s: s.update(update_failed_requests=-1), r"swarm\.update_failed_requests must be"),
    (lambda s: s.update(update_requests=True), r"swarm\.update_requests must be"),
    (lambda s: s.update(update_requests=0), r"measured nothing"),
    (lambda s: s.pop("how"), r"swarm\.how is missing"),
])
def test_a_malformed_swarm_section_names_its_key(change, message):
    data = sample()
    data["swarm"] = dict(SWARM)
    change(data["swarm"])
    with pytest.raises(MeasurementsError, match=message):
        validate(data)
