"""The runner: blocks top to bottom in one session, in a fresh copy, stopping at the first
failure; exit statuses, output checks, files, skips, conditions, waits, timeouts,
background blocks, update mode."""

import subprocess
import time

import pytest
from page_runs import make_runner, run_text, statuses, write_page

from execdocs import processes
from execdocs.collect import load_page
from execdocs.model import Block, Origin, Page


def test_a_page_runs_top_to_bottom_in_one_session(tmp_path):
    result = run_text(tmp_path, """\
```console
$ mkdir -p work && cd work
$ export NAME=reader
```

```bash
greeting="hello $NAME"
echo "$greeting" > greeting.txt
```

```console
$ cat greeting.txt; pwd
hello reader
.../work
```
""")
    assert result.passed, result.failure
    assert statuses(result) == ["passed", "passed", "passed"]


def test_a_wrong_output_fails_with_the_command_line_and_a_diff(tmp_path):
    result = run_text(tmp_path, """\
Intro.

```console
$ echo ok
ok
$ printf 'one\\ntwo\\n'
one
three
```
""")
    failure = result.failure
    assert failure.origin.line == 6 and failure.origin.path.name == "page.md"
    assert failure.message == "the output does not match"
    assert failure.command == "printf 'one\\ntwo\\n'"
    assert "-three" in failure.diff and "+two" in failure.diff


def test_every_command_must_exit_0_but_the_last_may_expect_another_status(tmp_path):
    failing = run_text(tmp_path / "a", "```console\n$ false\n$ true\n```\n")
    assert failing.failure.message == "exit status 1, expected 0"
    assert failing.failure.origin.line == 2
    expected = run_text(tmp_path / "b", '```console exit="3"\n$ true\n$ (exit 3)\n```\n')
    assert expected.passed
    wrong = run_text(tmp_path / "c", '```console exit="3"\n$ true\n```\n')
    assert wrong.failure.message == "exit status 0, expected 3"


def test_stderr_counts_as_output(tmp_path):
    result = run_text(tmp_path, "```console\n$ echo to-stderr >&2\nto-stderr\n```\n")
    assert result.passed


def test_a_shell_block_fails_at_its_failing_command_and_the_page_stops(tmp_path):
    marker = tmp_path / "later-block-ran"
    result = run_text(tmp_path, f"""\
```bash
echo before
false
echo after
```

```console
$ touch {marker}
```
""")
    assert result.failure.message == "exit status 1, expected 0"
    assert result.failure.output == "before\n"
    assert statuses(result) == ["failed", "not run"]
    assert not marker.exists()


def test_a_file_block_is_written_relative_to_the_current_directory(tmp_path):
    result = run_text(tmp_path, """\
```console
$ mkdir app && cd app
```

```ini file="conf/app.ini"
[main]
name = demo
```

```console
$ cat conf/app.ini
[main]
name = demo
```
""")
    assert result.passed, result.failure


def test_skipped_blocks_keep_their_reason_and_shown_blocks_are_not_run(tmp_path):
    marker = tmp_path / "ran"
    result = run_text(tmp_path, f"""\
```console test="skip" reason="needs a GPU"
$ touch {marker}
```

```json
{{"shown": true}}
```
""")
    assert result.passed and not marker.exists()
    assert [(b.status, b.reason) for b in result.blocks] == [
        ("skipped", "needs a GPU"), ("shown", "")]


def test_a_condition_is_probed_once_per_run_and_skips_when_it_does_not_hold(tmp_path):
    probes = tmp_path / "probes"
    conditions = {"present": f"echo >> {probes}; true", "absent": "false"}
    page = write_page(tmp_path, """\
```console requires="present"
$ echo yes
yes
```

```console requires="absent"
$ echo never
```
""")
    with make_runner(tmp_path, conditions=conditions) as runner:
        first = runner.run_page(load_page(page, None))
        second = runner.run_page(load_page(page, None))
    for result in (first, second):
        assert [(b.status, b.reason) for b in result.blocks] == [
            ("passed", ""), ("skipped", "requires absent")]
    assert probes.read_text() == "\n"


def test_wait_runs_the_block_again_until_it_passes(tmp_path):
    result = run_text(tmp_path, """\
```bash wait="20"
tries=$(( $(cat tries 2>/dev/null || echo 0) + 1 ))
echo "$tries" > tries
test "$tries" -ge 3
```
""")
    assert result.passed, result.failure
    assert result.blocks[0].attempts == 3


def test_wait_gives_up_after_its_time(tmp_path):
    started = time.monotonic()
    result = run_text(tmp_path, '```console wait="1"\n$ test -e never-created\n```\n')
    assert time.monotonic() - started < 5
    assert "still failing after" in result.failure.message
    assert result.blocks[0].attempts >= 2


def test_a_block_timeout_fails_the_block(tmp_path):
    started = time.monotonic()
    result = run_text(tmp_path, '```console timeout="1"\n$ sleep 30\n```\n')
    assert time.monotonic() - started < 6
    assert result.failure.message.startswith("timed out after 1 s")


def test_the_page_timeout_bounds_every_block(tmp_path):
    result = run_text(tmp_path, """\
---
execdocs:
  timeout: 1
---

```console
$ sleep 30
```
""")
    assert "the page's timeout of 1 s" in result.failure.message


def test_a_skipped_page_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    result = run_text(tmp_path, f"""\
---
execdocs:
  skip: "documents a paid service"
---

```console
$ touch {marker}
```
""")
    assert result.skipped == "documents a paid service" and not marker.exists()


def test_a_background_block_runs_alongside_and_is_stopped_at_the_end(tmp_path):
    pid_file = tmp_path / "server.pid"
    result = run_text(tmp_path, f"""\
```bash test="background"
echo $BASHPID > {pid_file}
python3 -m http.server --bind 127.0.0.1 0 > /dev/null 2>&1
```

```console wait="10"
$ test -s {pid_file}
```
""")
    assert result.passed, result.failure
    process = processes.read_process(int(pid_file.read_text()))
    assert process is None or process.state == "Z"


def test_a_failing_page_reports_its_background_output(tmp_path):
    result = run_text(tmp_path, """\
```bash test="background"
echo "listening on 8080"
sleep 300
```

```console wait="5"
$ grep -c listening block-001.sh.log || false
$ false
```
""")
    assert result.failure is not None
    assert any("listening on 8080" in section for section in result.failure.diagnostics)


def test_pages_run_in_a_copy_of_the_repository_and_never_touch_it(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "tracked.txt").write_text("original\n")
    (repo / "untracked.txt").write_text("new\n")
    (repo / "ignored.log").write_text("build output\n")
    (repo / ".gitignore").write_text("*.log\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "tracked.txt", ".gitignore"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    page = write_page(repo / "docs", """\
```console
$ cat tracked.txt untracked.txt
original
new
$ test ! -e ignored.log && test ! -e .git
$ echo changed > tracked.txt && rm untracked.txt && touch created.txt
```
""")
    with make_runner(tmp_path) as runner:
        result = runner.run_page(load_page(page, None))
    assert result.passed, result.failure
    assert (repo / "tracked.txt").read_text() == "original\n"
    assert (repo / "untracked.txt").exists() and not (repo / "created.txt").exists()


def test_the_run_directory_is_removed_at_the_end(tmp_path):
    with make_runner(tmp_path) as runner:
        root = runner.run.root
        runner.run_page(Page(tmp_path / "p.md", []))
        assert root.is_dir()
    assert not root.exists()


def test_a_python_block_is_linted_run_and_its_print_output_checked(tmp_path):
    good = run_text(tmp_path / "good", """\
```python
total = sum(range(4))
print(total)
#> 6
```
""")
    assert good.passed, good.failure
    wrong = run_text(tmp_path / "wrong", "```python\nprint(1 + 1)\n#> 3\n```\n")
    assert "#> 2" in wrong.failure.output or "+#> 2" in wrong.failure.output
    lint = run_text(tmp_path / "lint", "```python\nimport os\nprint(1)\n```\n")
    assert "F401" in lint.failure.output
    raises = run_text(tmp_path / "raises", "```python\nraise SystemExit(3)\n```\n")
    assert raises.failure.status == 3


def test_update_mode_rewrites_mismatched_output_in_the_source(tmp_path):
    text = """\
```console
$ printf 'alpha\\nbeta\\n'
alpha
gamma
$ echo kept
kept
```
"""
    page = write_page(tmp_path / "docs", text)
    with make_runner(tmp_path, update_mode=True) as runner:
        result = runner.run_page(load_page(page, None))
    assert result.passed and [o.line for o in result.updated] == [2]
    assert page.read_text() == text.replace("gamma", "beta")


def test_a_block_built_directly_runs_too(tmp_path):
    page_path = tmp_path / "built.md"
    block = Block("bash", "shell", {}, "echo built > out.txt", Origin(page_path, 1),
                  [Origin(page_path, 2)])
    with make_runner(tmp_path) as runner:
        result = runner.run_page(Page(page_path, [block]))
    assert result.passed


def test_output_the_shell_cannot_compare_exactly_is_matched_by_the_runner(tmp_path):
    result = run_text(tmp_path, """\
```console
$ printf '\\033[1mbold\\033[0m  \\n'
bold
$ printf 'no final newline'
no final newline
$ printf 'x\\n\\0y\\n'
x
```
""")
    assert result.failure.origin.line == 6, result.failure
    assert result.failure.message == "the output does not match"


def test_exit_in_a_console_command_names_that_command(tmp_path):
    result = run_text(tmp_path, "```console\n$ echo a\na\n$ exit 3\n$ echo never\n```\n")
    assert result.failure.origin.line == 4
    assert result.failure.message.startswith("the shell ended during the block (exit status 3)")


def test_a_block_timeout_names_the_command_that_ran_out_of_time(tmp_path):
    result = run_text(tmp_path, '```console timeout="1"\n$ echo a\na\n$ sleep 30\n```\n')
    assert result.failure.origin.line == 4
    assert result.failure.message.startswith("timed out after 1 s")


def test_the_first_failing_command_is_the_failure_though_later_ones_ran(tmp_path):
    # The shell stops only at an unexpected exit status; outputs are judged in order.
    later = tmp_path / "later-command-ran"
    result = run_text(tmp_path, f"""\
```console
$ echo actual
expected
$ touch {later}
$ false
```
""")
    assert result.failure.origin.line == 2
    assert result.failure.message == "the output does not match"
    assert "-expected" in result.failure.diff and "+actual" in result.failure.diff
    assert later.exists()


def test_no_command_runs_after_one_with_an_unexpected_exit_status(tmp_path):
    never = tmp_path / "never"
    result = run_text(tmp_path, f"```console\n$ echo a\nwrong\n$ false\n$ touch {never}\n```\n")
    assert result.failure.origin.line == 2 and not never.exists()


def test_a_wait_block_runs_no_command_before_the_one_above_matches(tmp_path):
    result = run_text(tmp_path, """\
```console wait="20"
$ n=$(( $(cat tries 2>/dev/null || echo 0) + 1 )); echo "$n" > tries; cat tries
3
$ echo ran >> after
```

```console
$ cat after
ran
```
""")
    assert result.passed, result.failure
    assert result.blocks[0].attempts == 3


def test_update_mode_rewrites_every_mismatch_of_a_block(tmp_path):
    text = "```console\n$ echo one\nuno\n$ echo same\nsame\n$ echo two\ndos\n```\n"
    page = write_page(tmp_path / "docs", text)
    with make_runner(tmp_path, update_mode=True) as runner:
        result = runner.run_page(load_page(page, None))
    assert result.passed and [o.line for o in result.updated] == [2, 6]
    assert page.read_text() == text.replace("uno", "one").replace("dos", "two")


def test_consecutive_console_blocks_go_on_only_after_the_one_above_passed(tmp_path):
    never = tmp_path / "never"
    result = run_text(tmp_path, f"""\
```console
$ echo one
one
```

```text
shown between
```

```console
$ echo two
two
$ echo anything
```

```console
$ echo wrong
expected
```

```console
$ touch {never}
```
""")
    assert statuses(result) == ["passed", "shown", "passed", "failed", "not run"]
    assert result.failure.origin.line == 17 and not never.exists()


def test_a_block_the_matcher_judges_lets_the_next_run_once_it_matched(tmp_path):
    result = run_text(tmp_path, """\
```console
$ echo 'took 12 ms'
took ... ms
```

```console exit="3"
$ echo after
after
$ (exit 3)
```
""")
    assert result.passed, result.failure
    assert statuses(result) == ["passed", "passed"]


def test_exit_in_a_later_block_of_a_run_names_that_command(tmp_path):
    result = run_text(tmp_path, "```console\n$ echo a\na\n```\n\n```console\n$ exit 3\n```\n")
    assert statuses(result) == ["passed", "failed"]
    assert result.failure.origin.line == 7
    assert result.failure.message.startswith("the shell ended during the block (exit status 3)")


def test_update_mode_rewrites_mismatches_across_consecutive_blocks(tmp_path):
    text = "```console\n$ echo one\nuno\n```\n\n```console\n$ echo two\ndos\n```\n"
    page = write_page(tmp_path / "docs", text)
    with make_runner(tmp_path, update_mode=True) as runner:
        result = runner.run_page(load_page(page, None))
    assert result.passed and [o.line for o in result.updated] == [2, 7]
    assert page.read_text() == text.replace("uno", "one").replace("dos", "two")


def test_a_failed_exit_status_is_reported_with_the_output_diff(tmp_path):
    result = run_text(tmp_path, "```console\n$ echo got; false\nwant\n```\n")
    assert result.failure.message == "exit status 1, expected 0"
    assert "-want" in result.failure.diff and "+got" in result.failure.diff


@pytest.mark.parametrize("target, setup", [
    ("../../../escaped.txt", ""),
    ("out/escaped.txt", "$ ln -s {outside} out"),
    ("escaped.txt", "$ cd {outside}"),
])
def test_a_file_block_never_writes_outside_the_pages_copy(tmp_path, target, setup):
    outside = tmp_path / "outside"
    outside.mkdir()
    page = f"""\
```console
$ mkdir -p a/b && cd a/b
{setup.format(outside=outside)}
```

```text file="{target}"
written
```
"""
    result = run_text(tmp_path, page)
    assert not result.passed
    assert result.failure.origin.line == page.splitlines().index(f'```text file="{target}"') + 1
    assert "outside the page's copy" in result.failure.message
    assert not list(tmp_path.rglob("escaped.txt"))


def test_a_shell_block_in_capitals_runs(tmp_path):
    result = run_text(tmp_path, "```BASH\ntouch ran\n```\n\n```console\n$ ls ran\nran\n```\n")
    assert result.passed, result.failure
    assert statuses(result) == ["passed", "passed"]
