"""Recorded output: a run records what each console command printed (as the matcher
compared it, secrets masked), keyed so the site finds each block again; the site shows
it in place of patterns, the page's own text where a block changed, and a footer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time

import pytest
from engine_fakes import engine_running
from mkdocs_project import MKDOCS_YML, write_project
from page_runs import make_runner, write_page

from execdocs import cli
from execdocs import runner as runner_module
from execdocs.collect import load_page
from execdocs.markdown_extension import NAME, reader_lines
from execdocs.model import Origin
from execdocs.recorded_view import RecordedView
from execdocs.recordings import (
    MASK,
    Machine,
    PageRecording,
    Recordings,
    RecordingsError,
    mask,
    page_hashes,
    page_record,
    write,
)

HEX48 = "3f9a" * 12

# --- the masking rule ------------------------------------------------------------------


@pytest.mark.parametrize(("line", "shown"), [
    # Values of variables named ...PASSWORD, ...PASSWD, ...SECRET, ...TOKEN, ...KEY.
    (f"POSTGRES_PASSWORD={HEX48}", f"POSTGRES_PASSWORD={MASK}"),
    ("REDIS_PASSWORD=change-me", f"REDIS_PASSWORD={MASK}"),
    ("export API_TOKEN=abc123 SECRET_KEY='x y'", f"export API_TOKEN={MASK} SECRET_KEY='{MASK}'"),
    ('      "DB_PASSWD=hunter2",', f'      "DB_PASSWD={MASK}",'),
    ("      POSTGRES_PASSWORD: s3cret", f"      POSTGRES_PASSWORD: {MASK}"),
    ("client_secret: 'abc'", f"client_secret: '{MASK}'"),
    # Long generated runs on their own: hex of 32 digits or more, base64-like tokens.
    (HEX48, MASK),
    (f"password is {HEX48}.", f"password is {MASK}."),
    ("token: Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdo", f"token: {MASK}"),
    ("eyJhbGciOiJIUzI1NiJ9ABCdef0123456789xyzXYZ", MASK),
])
def test_secrets_are_masked(line, shown):
    assert mask(line) == shown
    assert mask(shown) == shown  # masking twice changes nothing


@pytest.mark.parametrize("line", [
    # Not a value: a reference, a path, empty, a file holding the secret, a message.
    "POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?set it}",
    "POSTGRES_PASSWORD_FILE=/run/secrets/db_password",
    "POSTGRES_PASSWORD=",
    "REDIS_PASSWORD=-",
    "error while interpolating services.db.environment.POSTGRES_PASSWORD: required variable",
    "MONKEY=banana",
    # What Docker prints that is long and hexadecimal but no secret: IDs and digests.
    "sha256:" + "ab12" * 16,
    "ab12" * 16,
    "papertrade/backend@sha256:" + "cd34" * 16,
    # Paths, names and words.
    "/usr/lib/python3/dist-packages/SomethingLong1234567890Name/x.py",
    "papertrade-backend-dev-1  Up 3 seconds (healthy)",
    "ImportError: cannot import name 'VeryLongCamelCaseIdentifierName' from 'app'",
])
def test_what_is_no_secret_is_kept(line):
    assert mask(line) == line


# --- recording a run -------------------------------------------------------------------

PAGE = """\
# Page

```console
$ echo hello; echo "PASSWORD=$(printf '3f9a%.0s' {1..12})"
hello
PASSWORD=[0-9a-f]{48} (re)
$ printf 'a\\033[31mred\\033[0m   \\n'
a...
$ echo plain
plain
$ true
```

```text
shown only
```

<!-- execdocs
```console
$ echo hidden
hidden
```
-->
"""


def recorded(tmp_path, text=PAGE):
    path = write_page(tmp_path / "docs", text)
    page = load_page(path, None)
    with make_runner(tmp_path) as runner:
        result = runner.run_page(page)
    return page, result, page_record(page, result, Machine("Docker Engine 1.2", "linux/amd64"))


def test_a_run_records_each_command_as_the_matcher_compared_it(tmp_path):
    page, result, record = recorded(tmp_path)
    assert result.passed
    console, text, hidden = record["blocks"]
    assert [c["output"] for c in console["commands"]] == [
        ["hello", f"PASSWORD={MASK}"],  # masked
        ["ared"],  # escapes removed, trailing blanks dropped
        ["plain"], [],
    ]
    assert [c["pattern"] for c in console["commands"]] == [True, True, False, False]
    assert [c["expected_at"] for c in console["commands"]] == [[1, 3], [4, 5], [6, 7], [8, 8]]
    assert (text["kind"], text["status"], "commands" in text) == ("shown", "shown", False)
    assert hidden["hidden"] and hidden["commands"][0]["output"] == ["hidden"]
    assert [b["hash"] for b in record["blocks"]] == page_hashes(page)
    assert (record["result"], record["engine"], record["platform"]) == (
        "passed", "Docker Engine 1.2", "linux/amd64")


def test_a_wait_block_records_its_last_attempt(tmp_path):
    text = ('# P\n\n```console wait="5"\n$ n=$(( ${n:-0} + 1 )); echo "try $n"'
            '; test "$n" -ge 2\ntry ...\n```\n')
    _, result, record = recorded(tmp_path, text)
    assert result.passed
    assert record["blocks"][0]["commands"][0]["output"] == ["try 2"]


def test_the_file_keeps_other_pages_and_drops_pages_that_are_gone(tmp_path):
    _, _, record = recorded(tmp_path)
    path = tmp_path / "data" / "recorded.json"
    write(path, {"docs/page.md": record, "docs/gone.md": record}, tmp_path)
    write(path, {"docs/other.md": record}, tmp_path)  # as if a run of that page alone
    assert sorted(Recordings.load(path).pages) == ["docs/other.md", "docs/page.md"]


@pytest.mark.parametrize("text", ["{not json", '{"format": 0, "pages": {}}',
                                  '{"format": 1, "pages": {"a.md": {}}}'])
def test_a_file_that_is_not_a_recording_is_refused(tmp_path, text):
    (tmp_path / "r.json").write_text(text)
    with pytest.raises(RecordingsError, match="record the pages again"):
        Recordings.load(tmp_path / "r.json")


def test_the_command_line_records_into_the_file_mkdocs_yml_names(tmp_path):
    yml = MKDOCS_YML + f"  - {NAME}:\n      recordings: data/rec.json\n"
    write_project(tmp_path, {"docs/page.md": PAGE}, mkdocs_yml=yml)
    run = subprocess.run([sys.executable, "-m", "execdocs", "run", "--record", "docs/page.md"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"EXECDOCS_ISOLATION": "off", "PATH": "/usr/bin:/bin",
                              "TMPDIR": tempfile.gettempdir()})  # the session's (conftest)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "docs/page.md" in json.loads((tmp_path / "data/rec.json").read_text())["pages"]


def test_a_page_skipped_for_the_engines_state_keeps_its_last_recording(
        tmp_path, monkeypatch, capsys):
    """An `alone` page beside someone else's running container is skipped for now: its
    recording stays the one of its last run."""
    yml = MKDOCS_YML + f"  - {NAME}:\n      recordings: data/rec.json\n"
    alone = "---\nexecdocs:\n  alone: it makes a swarm\n---\n" + PAGE
    write_project(tmp_path, {"docs/page.md": alone}, mkdocs_yml=yml)
    engine = engine_running(["their-db"])
    monkeypatch.setattr(runner_module, "Engine", lambda: engine)
    monkeypatch.setenv("EXECDOCS_ISOLATION", "off")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the engine's lock: this test's
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "--record", "docs/page.md"]) == 0
    assert "SKIPPED docs/page.md: it needs the engine to itself" in capsys.readouterr().out
    recorded = tmp_path / "data/rec.json"
    assert not recorded.exists() or "docs/page.md" not in json.loads(recorded.read_text())["pages"]


def test_record_without_a_file_named_is_refused(tmp_path):
    write_project(tmp_path, {"docs/page.md": PAGE})
    run = subprocess.run([sys.executable, "-m", "execdocs", "run", "--record", "docs/page.md"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--record needs the file to write" in run.stderr


# --- what the site shows ---------------------------------------------------------------


def shown(tmp_path, source=PAGE, edit=lambda text: text):
    """The page `source` as readers get it, recorded as written then edited by `edit`."""
    page, _, record = recorded(tmp_path, source)
    warnings: list[str] = []
    view = RecordedView("docs/page.md", PageRecording("docs/page.md", record), warnings.append)
    lines = edit(source).split("\n")
    origins = [Origin(page.path, k + 1) for k in range(len(lines))]
    return "\n".join(reader_lines(lines, origins, recorded=view)), warnings


def test_patterns_show_the_recorded_output_and_literal_output_stays(tmp_path):
    text, warnings = shown(tmp_path)
    assert warnings == []
    assert f"{{1..12}})\"\nhello\nPASSWORD={MASK}\n$ printf" in text
    assert "\nared\n$ echo plain\nplain\n$ true\n```" in text
    assert "(re)" not in text and "a..." not in text and "hidden" not in text
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert text.endswith(
        f'<p class="execdocs-ran"><small>Every block on this page ran on {today},'
        " Docker Engine 1.2 linux/amd64: 2 of 2 blocks.</small></p>\n")


def test_a_changed_block_shows_its_own_text_and_warns_at_its_line(tmp_path):
    text, warnings = shown(tmp_path, edit=lambda t: t.replace("$ echo plain", "$ echo plain "))
    assert "PASSWORD=[0-9a-f]{48} (re)" in text  # the page's own text
    assert [w.split("/docs/", 1)[-1] for w in warnings] == [
        "page.md:3: no recorded output of this block (changed since the page was recorded);"
        " the site shows its patterns: record the page again"]
    assert "This page changed since its blocks last ran" in text


def test_a_block_moved_by_one_added_above_is_stale_too(tmp_path):
    text, warnings = shown(tmp_path, edit=lambda t: t.replace(
        "# Page\n", "# Page\n\n```console\n$ echo new\n```\n"))
    assert len(warnings) == 1 and "PASSWORD=[0-9a-f]{48} (re)" in text


def test_indented_blocks_keep_their_indentation(tmp_path):
    source = ("# P\n\n!!! note\n\n    ```console\n    $ echo hello; echo world\n"
              "    hello\n    ...\n    ```\n")
    text, warnings = shown(tmp_path, source)
    assert warnings == []
    assert "    $ echo hello; echo world\n    hello\n    world\n    ```" in text


def test_lines_about_the_recording_machine_alone_are_left_out(tmp_path):
    source = ("# P\n\n```console\n$ echo 'level=warning msg=no buildx'; echo built\n"
              "...\n```\n")
    page, _, record = recorded(tmp_path, source)
    view = RecordedView("docs/page.md", PageRecording("docs/page.md", record), [].append,
                        omit=(re.compile("level=warning msg=no buildx"),))
    lines = source.split("\n")
    origins = [Origin(page.path, k + 1) for k in range(len(lines))]
    text = "\n".join(reader_lines(lines, origins, recorded=view))
    assert "echo built\nbuilt\n```" in text and "\nlevel=warning" not in text


def test_a_site_built_by_mkdocs_shows_the_recordings(tmp_path):
    yml = MKDOCS_YML + f"  - {NAME}:\n      recordings: data/rec.json\n"
    write_project(tmp_path, {"docs/index.md": PAGE}, mkdocs_yml=yml)
    page = load_page(tmp_path / "docs/index.md", None)
    with make_runner(tmp_path) as runner:
        result = runner.run_page(page)
    record = page_record(page, result, Machine("Docker Engine 1.2", "linux/amd64"))
    write(tmp_path / "data/rec.json", {"docs/index.md": record}, tmp_path)
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    assert " (re)" not in html and "a..." not in html
    assert MASK in html and "execdocs-ran" in html
    # A changed page: its own text, and the build says where.
    source = tmp_path / "docs/index.md"
    source.write_text(source.read_text().replace("$ echo plain", "$ echo plain "))
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    assert "docs/index.md:3: no recorded output of this block" in build.stderr
    assert " (re)" in (tmp_path / "site" / "index.html").read_text()


def test_footers(tmp_path):
    from execdocs.recorded_view import footer_text

    def page(**data):
        blocks = data.pop("blocks")
        return PageRecording("docs/p.md", {"ran": "2026-11-30T19:00:00Z", "engine": "E 1",
                                           "platform": "linux/arm64", "blocks": blocks, **data})

    ok = {"kind": "console", "status": "passed"}
    skipped = {"kind": "shell", "status": "skipped", "line": 9, "reason": "slow"}
    assert footer_text(page(blocks=[ok, ok, {"kind": "shown", "status": "shown"}]), True) == (
        "Every block on this page ran on 2026-11-30, E 1 linux/arm64: 2 of 2 blocks.")
    assert footer_text(page(blocks=[ok, skipped]), True) == (
        "1 of 2 blocks on this page ran on 2026-11-30, E 1 linux/arm64; skipped: slow.")
    assert "changed since" in footer_text(page(blocks=[ok]), False)
    assert footer_text(page(blocks=[]), True) == ""  # nothing to run: no footer
    assert "1 of 2 passed" in footer_text(page(blocks=[ok, {"kind": "console",
                                                            "status": "failed"}],
                                               result="failed"), True)


def test_a_long_run_a_wildcard_stood_for_is_cut_with_a_note():
    from execdocs.recorded_view import elided

    build_log = [f"#{k} DONE" for k in range(30)]
    assert elided(["$ready", "...", "done"], ["$ready", *build_log, "done"]) == [
        "$ready", *build_log[:5], "[\u2026 20 lines \u2026]", *build_log[-5:], "done"]
    assert elided(["$ready", "...", "done"], ["$ready", *build_log[:20], "done"]) == [
        "$ready", *build_log[:20], "done"]  # 20 lines: shown whole
    # Short runs, and lines a pattern matched within a line, are shown whole.
    assert elided(["a", "...", "x... (re)"], ["a", "1", "2", "xyz"]) == ["a", "1", "2", "xyz"]


def test_output_that_would_end_the_block_is_not_put_in_it(tmp_path):
    source = "# P\n\n```console\n$ printf 'a\\n```\\nb\\n'\na\n...\n```\n"
    text, warnings = shown(tmp_path, source)
    assert "\na\n...\n```" in text  # the page's own text: the recorded ``` would close it
    assert warnings[0].endswith(":3: the recorded output holds a line that would end the"
                                " block; the site shows its patterns")
