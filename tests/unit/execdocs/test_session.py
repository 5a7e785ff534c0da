"""The page's shell session: state between requests, output order, exit statuses,
errexit for shell blocks, timeouts, background process groups."""

import os
import time
from pathlib import Path

import pytest

from execdocs import processes
from execdocs.session import Session, SessionEnded, Step


@pytest.fixture
def session(tmp_path):
    with Session(tmp_path, dict(os.environ), tmp_path) as shell:
        yield shell


def test_directory_variables_exports_and_functions_persist(session, tmp_path):
    (tmp_path / "sub").mkdir()
    session.run("cd sub && export SEEN=exported && LOCAL=plain", 5)
    session.run("greet() { echo \"hello $1\"; }", 5)
    outcome = session.run('echo "$PWD $SEEN $LOCAL"; greet reader; sh -c \'echo "$SEEN"\'', 5)
    assert outcome.output == f"{tmp_path}/sub exported plain\nhello reader\nexported\n"
    assert session.cwd() == tmp_path / "sub"


def test_stdout_and_stderr_keep_their_order(session):
    outcome = session.run("for i in 1 2 3; do echo out$i; echo err$i >&2; done", 5)
    assert outcome.output.split() == ["out1", "err1", "out2", "err2", "out3", "err3"]


def test_exit_status_and_output_without_final_newline(session):
    assert session.run("(exit 7)", 5).status == 7
    outcome = session.run("printf 'no newline'", 5)
    assert (outcome.status, outcome.output) == (0, "no newline")
    assert session.run("true", 5).status == 0


def test_a_syntax_error_fails_the_command_not_the_session(session):
    assert session.run("if then fi", 5).status == 2
    assert session.run("echo still here", 5).output == "still here\n"


def test_commands_read_nothing_from_stdin(session):
    outcome = session.run("cat; readlink /proc/self/fd/0", 5)
    assert (outcome.status, outcome.output) == (0, "/dev/null\n")
    # No request was swallowed by `cat`: the next one arrives intact.
    assert session.run("echo next", 5).output == "next\n"


def test_a_session_ended_while_its_children_live_on_is_noticed(session):
    with pytest.raises(SessionEnded, match="exit status 3"):
        session.run("sleep 30 & exit 3", 5)


def test_a_large_output_is_read_whole(session):
    outcome = session.run("seq 1 200000", 10)
    assert outcome.output.count("\n") == 200000 and outcome.output.endswith("200000\n")


def test_a_shell_block_stops_at_its_first_failing_command(session):
    outcome = session.source("echo one\nfalse\necho never", 5)
    assert (outcome.status, outcome.output) == (1, "one\n")


@pytest.mark.parametrize("script", [
    "f() { false; echo never; }\nf\necho never",
    "(false; echo never)\necho never",
    "x=$(false)\necho never",
    "true | false | true\necho never",
])
def test_errexit_and_pipefail_reach_functions_subshells_and_pipes(session, script):
    outcome = session.source(script, 5)
    assert outcome.status != 0 and "never" not in outcome.output


def test_conditions_do_not_fail_a_shell_block(session):
    outcome = session.source("if false; then :; fi\nfalse || echo handled\n! true\necho end", 5)
    assert (outcome.status, outcome.output) == (0, "handled\nend\n")


def test_after_a_shell_block_the_session_has_its_own_options_back(session):
    session.run("set -o pipefail", 5)
    session.source("false", 5)
    flags = session.run("echo $-; [[ -o pipefail ]] && echo pipefail; trap -p ERR", 5).output
    assert "e" not in flags.split()[0] and "E" not in flags.split()[0]
    assert "pipefail" in flags and "ERR" not in flags
    session.run("set +o pipefail", 5)
    session.source("true", 5)
    assert session.run("[[ -o pipefail ]] || echo off", 5).output == "off\n"


def test_shell_block_definitions_stay_global(session):
    session.source("declare -A colours=([sky]=blue)\nexport FROM_BLOCK=1\ncd /", 5)
    outcome = session.run('echo "${colours[sky]} $FROM_BLOCK $PWD"', 5)
    assert outcome.output == "blue 1 /\n"


def test_a_timeout_stops_the_command_and_keeps_the_session(session):
    started = time.monotonic()
    outcome = session.run("echo started; sleep 30; echo never", 0.5)
    assert outcome.timed_out and outcome.status is None
    assert outcome.output.startswith("started\n") and "never" not in outcome.output
    assert time.monotonic() - started < 5
    assert session.run("echo alive", 5).output == "alive\n"


@pytest.mark.parametrize("command", [
    "while :; do :; done; echo never",  # no process to stop: the shell itself is busy
    "f() { sleep 30; echo never; }; f; echo never",  # returns level by level
])
def test_a_timeout_returns_from_loops_and_functions(session, command):
    outcome = session.run(command, 0.3)
    assert outcome.timed_out and "never" not in outcome.output
    assert session.run("echo alive", 5).output == "alive\n"


def test_a_timed_out_shell_block_keeps_the_session(session):
    assert session.source("echo a\nsleep 30\necho never", 0.3).timed_out
    assert session.run("[[ -o errexit ]] || echo no-errexit", 5).output == "no-errexit\n"


def test_exit_ends_the_session_with_a_clear_message(session):
    with pytest.raises(SessionEnded, match="exit"):
        session.source("echo bye\nexit 4", 5)


def test_background_block_runs_in_its_own_group_until_close(tmp_path):
    shell = Session(tmp_path, dict(os.environ), tmp_path)
    group, log = shell.start_background("echo serving\necho $BASHPID > bg.pid\nexec sleep 300")
    assert shell.run("until [ -s bg.pid ]; do sleep 0.01; done", 10).status == 0
    pid = int((tmp_path / "bg.pid").read_text())
    member = processes.read_process(pid)
    assert member.group == group != processes.read_process(shell.pid).group
    # A console command's timeout stops that command only, not the background group.
    assert shell.run("sleep 30", 0.3).timed_out
    assert processes.read_process(pid).state != "Z"
    shell.close()
    assert processes.read_process(pid) is None or processes.read_process(pid).state == "Z"
    assert log.read_text() == "serving\n"


def test_close_stops_what_commands_left_running(tmp_path):
    shell = Session(tmp_path, dict(os.environ), tmp_path)
    shell.run("sleep 300 & echo $! > left.pid", 5)
    shell.run("(setsid sleep 301 & echo $! > detached.pid)", 5)
    pids = [int(Path(tmp_path, name).read_text()) for name in ("left.pid", "detached.pid")]
    shell.close()
    left = processes.read_process(pids[0])
    assert left is None or left.state == "Z"
    # A process that made itself a new session is out of reach, as in a terminal: stop it.
    detached = processes.read_process(pids[1])
    if detached is not None:
        os.kill(pids[1], 9)


@pytest.mark.parametrize(("script", "line"), [
    ("echo a\ntrue\nfalse\necho never", 3),
    ("f() {\n  false\n}\necho a\nf\necho never", 5),  # the block's line: the call
    ("echo a", None),
])
def test_a_shell_block_says_which_of_its_lines_failed(session, script, line):
    assert session.source(script, 5).line == line


def test_steps_run_until_the_first_with_another_exit_status(session, tmp_path):
    steps = [Step("echo one"), Step("false"), Step(f"touch {tmp_path}/never")]
    outcomes = session.run_steps(steps, 5)
    assert [(o.status, o.output) for o in outcomes] == [(0, "one\n"), (1, "")]
    assert not (tmp_path / "never").exists()


def test_each_step_hands_over_its_own_output(session):
    steps = [Step("printf 'a\\nb\\n'"), Step("echo out; echo err >&2"), Step("printf 'x'"),
             Step("true"), Step("echo last")]
    outputs = [outcome.output for outcome in session.run_steps(steps, 5)]
    assert outputs == ["a\nb\n", "out\nerr\n", "x", "", "last\n"]


def test_all_steps_passing_have_their_expected_statuses(session):
    steps = [Step("cd /"), Step("pwd"), Step("(exit 4)", status=4)]
    outcomes = session.run_steps(steps, 5)
    assert [(o.status, o.output) for o in outcomes] == [(0, ""), (0, "/\n"), (4, "")]


def test_a_step_that_pauses_is_the_last_to_run(session, tmp_path):
    steps = [Step("echo judged first", pause_after=True), Step(f"touch {tmp_path}/later")]
    outcomes = session.run_steps(steps, 5)
    assert [(o.status, o.output) for o in outcomes] == [(0, "judged first\n")]
    assert not (tmp_path / "later").exists()
    assert len(session.run_steps(steps[1:], 5)) == 1 and (tmp_path / "later").exists()


def test_a_command_that_returns_reports_its_own_status(session):
    outcomes = session.run_steps([Step("true"), Step("return 3"), Step("echo never")], 5)
    assert [o.status for o in outcomes] == [0, 3]


def test_output_that_looks_like_a_marker_stays_output(session):
    text = "\x1fexecdocs-0123456789abcdef-1\nplain\n"
    outcomes = session.run_steps([Step(f"printf {text!r}"), Step("echo next")], 5)
    assert [o.output for o in outcomes] == [text, "next\n"]


def test_output_with_a_nul_byte_is_handed_over_whole(session):
    outcomes = session.run_steps([Step("printf 'a\\n\\0b\\n'"), Step("echo c")], 5)
    assert [o.output for o in outcomes] == ["a\n\x00b\n", "c\n"]


def test_a_step_that_ends_the_shell_hands_over_the_steps_before_it(session):
    with pytest.raises(SessionEnded, match="exit status 4") as ended:
        session.run_steps([Step("echo a"), Step("echo b; exit 4"), Step("echo never")], 5)
    assert [(o.status, o.output) for o in ended.value.completed] == [(0, "a\n")]
    assert ended.value.output == "b\n"


def test_the_shell_goes_to_the_next_block_only_after_exact_output(session, tmp_path):
    steps = [Step("echo a", output="a\n"), Step("echo any", ends_block=True),
             Step("echo b", output="b\n", ends_block=True), Step(f"touch {tmp_path}/third")]
    assert [o.output for o in session.run_steps(steps, 5)] == ["a\n", "any\n", "b\n", ""]
    assert (tmp_path / "third").exists()
    mismatch = [Step("echo a", output="other\n", ends_block=True), Step(f"touch {tmp_path}/no")]
    assert [o.output for o in session.run_steps(mismatch, 5)] == ["a\n"]
    judged = [Step("echo a", runner_judges=True, ends_block=True), Step(f"touch {tmp_path}/no")]
    assert [o.output for o in session.run_steps(judged, 5)] == ["a\n"]
    assert not (tmp_path / "no").exists()


def test_each_block_of_a_request_has_its_timeout_from_its_own_start(session):
    steps = [Step("sleep 0.4", ends_block=True), Step("sleep 0.4", ends_block=True),
             Step("sleep 30")]
    outcomes = session.run_steps(steps, 1.0)
    assert [o.timed_out for o in outcomes] == [False, False, True]
    assert outcomes[0].began < outcomes[1].began < outcomes[2].began
