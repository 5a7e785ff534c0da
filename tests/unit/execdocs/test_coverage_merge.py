"""Merging shards' coverage summaries (fake shard outputs, written as the plugin writes
them): the merged summary, and each refusal as one line naming the files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from execdocs.coverage import CoverageError, PageCoverage, Summary
from execdocs.coverage_merge import merge
from execdocs.recordings import Recordings

ALL = ["docs/a.md", "docs/b.md", "docs/c.md"]
SPLIT = {1: ["docs/a.md", "docs/c.md"], 2: ["docs/b.md"]}
RUN = {"commit": "1f0c" * 10, "id": "4711"}


def record(page: str) -> dict:
    return {"ran": "2026-11-30T19:10:02Z", "engine": "Docker Engine 20.10", "result": "passed",
            "platform": "linux/amd64", "seconds": 1.5,
            "blocks": [{"index": 0, "line": 1, "kind": "console", "hash": page,
                        "status": "passed"}]}


def shard(tmp_path: Path, index: int, *, pages=None, count=2, all_pages=ALL, run=RUN,
          recorded=True, name=None) -> Path:
    mine = SPLIT[index] if index in SPLIT else []
    ran = mine if pages is None else pages
    summary = Summary(
        [PageCoverage(page, "passed", run=2, passed=2, shell_console_blocks=2,
                      shell_console_executed=2) for page in ran],
        run=run, shard={"index": index, "count": count, "pages": mine, "all_pages": all_pages},
        recordings={page: record(page) for page in ran} if recorded else None)
    path = tmp_path / (name or f"shard{index}.json")
    summary.write_json(path)
    return path


def test_every_shard_merges_into_one_summary_in_page_order(tmp_path):
    merged = merge([shard(tmp_path, 2), shard(tmp_path, 1)], record=True)
    assert [page.page for page in merged.pages] == ALL
    assert merged.run == RUN and merged.shard is None and merged.shards == 2
    assert set(merged.recordings) == set(ALL)
    data = merged.as_json()
    assert data["totals"]["passed"] == 6 and data["totals"]["executed_share"] == 1.0
    assert "recordings" in data and "shard" not in data


def test_a_merged_summary_reads_back(tmp_path):
    merge([shard(tmp_path, 1), shard(tmp_path, 2)]).write_json(tmp_path / "all.json")
    again = Summary.load(tmp_path / "all.json")
    assert [page.page for page in again.pages] == ALL and again.recordings is None


def refusal(paths, record=False) -> str:
    with pytest.raises(CoverageError) as raised:
        merge(paths, record)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_page_in_two_shards_is_refused(tmp_path):
    second = shard(tmp_path, 2, pages=["docs/b.md", "docs/a.md"])
    message = refusal([shard(tmp_path, 1), second])
    assert message.startswith(f"docs/a.md is in both {tmp_path / 'shard1.json'} and {second}")


def test_a_page_without_a_result_is_refused(tmp_path):
    first = shard(tmp_path, 1, pages=["docs/a.md"])  # stopped before docs/c.md
    message = refusal([first, shard(tmp_path, 2)])
    assert message.startswith(f"{first}: no result for docs/c.md (shard 1/2 stopped early")


def test_a_missing_shard_is_refused(tmp_path):
    assert refusal([shard(tmp_path, 1)]) == (
        "shard 2/2 is missing: give the summary of every one of the 2 shards")


def test_the_same_shard_twice_is_refused(tmp_path):
    first = shard(tmp_path, 1)
    again = shard(tmp_path, 1, name="copy.json")
    assert refusal([first, again, shard(tmp_path, 2)]).startswith(
        f"{first} and {again} are both shard 1/2")


def test_mixed_commits_are_refused(tmp_path):
    other = shard(tmp_path, 2, run={**RUN, "commit": "9e9e" * 10})
    message = refusal([shard(tmp_path, 1), other])
    assert message.startswith("mixed commits:") and "1f0c" in message and "9e9e" in message


def test_mixed_runs_are_refused(tmp_path):
    other = shard(tmp_path, 2, run={**RUN, "id": "4712"})
    assert refusal([shard(tmp_path, 1), other]).startswith(
        f"mixed runs: {tmp_path / 'shard1.json'} is from run 4711, {other} from run 4712")


def test_shards_of_different_splits_are_refused(tmp_path):
    third = shard(tmp_path, 2, count=3)
    assert "is shard 1/2 but" in refusal([shard(tmp_path, 1), third])
    fewer = shard(tmp_path, 2, all_pages=["docs/a.md", "docs/b.md"])
    assert "split different pages (docs/c.md)" in refusal([shard(tmp_path, 1), fewer])


def test_a_page_the_split_gave_to_another_shard_is_refused(tmp_path):
    wrong = shard(tmp_path, 2, pages=["docs/b.md", "docs/d.md"])
    assert "holds docs/d.md, which the split gave to another shard" in refusal(
        [shard(tmp_path, 1), wrong])


def test_a_summary_of_an_unsharded_run_is_refused(tmp_path):
    plain = tmp_path / "plain.json"
    Summary([PageCoverage("docs/a.md", "passed")]).write_json(plain)
    assert refusal([plain]).startswith(f"{plain}: not a shard's summary")


@pytest.mark.parametrize("text", ["", "{}", '{"pages": [{"nope": 1}]}'])
def test_a_file_that_is_no_summary_is_refused(tmp_path, text):
    path = tmp_path / "junk.json"
    path.write_text(text)
    assert refusal([path]).startswith(f"{path}: not a coverage summary written by execdocs")


def test_recording_needs_every_shard_to_have_recorded(tmp_path):
    unrecorded = shard(tmp_path, 2, recorded=False)
    merge([shard(tmp_path, 1), unrecorded])  # a merge of the summaries alone is fine
    assert refusal([shard(tmp_path, 1), unrecorded], record=True).startswith(
        f"{unrecorded}: shard 2/2 did not record")


def test_the_command_writes_the_summary_and_the_recordings_file(tmp_path):
    (tmp_path / "docs").mkdir()
    for name in ALL + ["docs/kept.md"]:
        (tmp_path / name).write_text("text\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nmarkdown_extensions:\n  - execdocs.markdown_extension:\n"
        "      recordings: data/rec.json\n")
    (tmp_path / "data").mkdir()
    kept = {"format": 1, "pages": {"docs/kept.md": record("docs/kept.md"),
                                   "docs/a.md": {**record("docs/a.md"), "seconds": 99}}}
    (tmp_path / "data" / "rec.json").write_text(json.dumps(kept))
    paths = [str(shard(tmp_path, index)) for index in (1, 2)]
    done = subprocess.run(
        [sys.executable, "-m", "execdocs", "coverage", "merge", *paths, "-o", "out/all.json",
         "--record"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[3]), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "2 shard(s) merged into out/all.json" in done.stdout
    assert [page["page"] for page in json.loads((tmp_path / "out/all.json").read_text())[
        "pages"]] == ALL
    recorded = Recordings.load(tmp_path / "data" / "rec.json").pages
    assert set(recorded) == {*ALL, "docs/kept.md"} and recorded["docs/a.md"]["seconds"] == 1.5


def test_the_command_says_why_it_refuses_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "execdocs", "coverage", "merge", str(shard(tmp_path, 1)),
         "-o", str(tmp_path / "all.json")], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 2
    assert done.stderr == ("coverage merge: shard 2/2 is missing: give the summary of every"
                           " one of the 2 shards\n")
    assert not (tmp_path / "all.json").exists()
