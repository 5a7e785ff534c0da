"""One persistent bash process per page: the reader's terminal.

Requests reach bash on a control pipe and run in the same shell, so `cd`, `export`,
variables, functions and files persist from block to block. After each request bash
writes a reply line on a separate status pipe.

Console commands are sent as `Step`s, one or more blocks at a time: bash runs them one by
one with stdout and stderr together (in the order written) going to one in-memory capture
file, each command's output after a marker line naming it. Bash checks each exit status
(an integer compare) and stops at the first that is not the expected one, or after a step
whose output the runner must judge before the next command may run. At the end of a
block that another follows, bash reads the block's output back and goes on only if every
command printed exactly its expected output (one read and one pattern match per block).
The runner then splits the capture at the markers and judges each command's output in
order. A page of quick commands thus costs one round trip per run of blocks, not one per
block or command, and bash neither spawns a process nor opens a file per command: each
round trip waits for two processes to be woken and scheduled, which on a busy machine
costs more than a quick command, and so would reading each command's output back.

Shell blocks are sourced (so `declare` at top level stays global) with errexit, errtrace
and pipefail; an ERR trap returns from the sourced file instead of exiting, so a failing
command fails the block while the session survives, and names the line that failed. Their
output comes through a pipe. The shell's options are restored afterwards.

A timeout sends SIGUSR1, whose trap returns from the running request (and, through the
DEBUG trap, from each function above it), and stops the processes the request started.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import select
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from execdocs import processes

CONTROL_FD = 62  # bash reads requests here
STATUS_FD = 63  # bash writes reply lines here
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
_LEVEL_WAIT = 0.05  # seconds for the shell to return one level after SIGUSR1
_QUIET_WAIT = 0.005  # seconds a request may run before its output is read as it comes
_PIPE_SIZE = 1 << 20  # the default maximum for unprivileged processes
CAPTURE_FD = 60  # bash's stdout and stderr while it runs steps: the capture file
READ_BACK_FD = 59  # bash reads a block's output back here, to check it before the next

# The loop bash runs. A request is one NUL-terminated string: a kind letter, then text.
#   k: source the steps script (in the command memory file), its output going to the
#      capture file; reply "passed" when every step ran with its expected status,
#      "checked" when it stopped at the end of a block whose output is for the runner to
#      judge, else the status of the step it stopped at (the last marker names that step).
#   s: source a shell block file with errexit; reply "status [failed line]".
#   b: start a file in the background, in its own process group, its output in the log
#      file named after it; reply "0 process-group".
# Commands read /dev/null (the shell's own stdin), as a reader's terminal gives them no
# input. They inherit the session's descriptors, as they would inherit a terminal:
# redirecting them away costs a dozen system calls per command, and the session notices
# the shell's end through a pidfd, not through the end of the status pipe.
_LOOP = rf"""
eval "exec {CONTROL_FD}<&$1 {STATUS_FD}>&$2 {CAPTURE_FD}>&$3 {READ_BACK_FD}<&$4"
eval "exec $1<&- $2>&- $3>&- $4<&-"
__execdocs_command=$5
trap 'if ((${{#BASH_SOURCE[@]}})); then
    __execdocs_aborted=1
    trap "((\${{#BASH_SOURCE[@]}})) && return 143" DEBUG
    return 143
  fi' USR1
__execdocs_errexit() {{
  if [[ -o pipefail ]]; then __execdocs_pipefail=1; else __execdocs_pipefail=; fi
  set -eE -o pipefail
  # Level 1 is the sourced block: return from it instead of exiting the shell. Deeper,
  # return from the function, whose failure brings the trap back up a level. Level 0:
  # the block as a whole failed (its last command, in an && list): keep the shell.
  trap '__execdocs_status=$? __execdocs_at=$LINENO  # (on the first line: it counts on)
    case ${{#BASH_SOURCE[@]}} in
      0) set +eE; trap - ERR ;;
      1) __execdocs_line=$__execdocs_at; set +eE; trap - ERR; return $__execdocs_status ;;
      *) return $__execdocs_status ;;
    esac' ERR
}}
__execdocs_restore() {{
  set +eE; trap - ERR
  [[ -n $__execdocs_pipefail ]] || set +o pipefail
}}
while IFS= read -r -d '' -u {CONTROL_FD} __execdocs_request; do
  case $__execdocs_request in
    k*) __execdocs_status=
        . "$__execdocs_command" >&{CAPTURE_FD} 2>&1
        __execdocs_status=${{__execdocs_status:-$?}} ;;
    s*) __execdocs_errexit; __execdocs_line=
        . "${{__execdocs_request:1}}"
        __execdocs_status="$? $__execdocs_line"; __execdocs_restore ;;
    b*) set -m
        {{ __execdocs_errexit; . "${{__execdocs_request:1}}"; }} \
          {CONTROL_FD}<&- {STATUS_FD}>&- >"${{__execdocs_request:1}}.log" 2>&1 &
        set +m
        __execdocs_status="0 $!" ;;
  esac
  if [[ -n $__execdocs_aborted ]]; then trap - DEBUG; __execdocs_aborted=; fi
  printf '%s\n' "$__execdocs_status" >&{STATUS_FD}
done
"""


class SessionEnded(Exception):
    """The shell is gone (a block ran `exit`, or it was killed)."""

    def __init__(self, message: str, completed: Sequence[ShellOutcome] = (), output: str = ""):
        super().__init__(message)
        self.completed = list(completed)  # run_steps: the steps before the one that ended it
        self.output = output  # what the request that ended it wrote before it ended


@dataclass(frozen=True)
class Step:
    """One console command, with what the shell needs to run it on its own."""

    command: str
    status: int = 0  # the exit status it must have; the shell stops at any other
    # At the end of a block, the shell goes on to the next block only when each command's
    # output was exactly its `output` (None: any output), and none is `runner_judges`.
    output: str | None = None
    runner_judges: bool = False  # its output needs the runner's matcher
    ends_block: bool = False
    pause_after: bool = False  # stop after it: its output is judged before the next runs


@dataclass
class ShellOutcome:
    """What one request did."""

    status: int | None  # None when it timed out
    output: str  # stdout and stderr, interleaved as written
    seconds: float
    timed_out: bool = False
    line: int | None = None  # shell blocks: the block's line whose command failed
    began: float | None = None  # console steps: when it started (Unix time)


class Session:
    """A bash process in its own process group and session, started in `cwd`."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None, scratch: Path | None = None,
                 wrapper: Sequence[str] = ()):
        """`wrapper`: a command prefix that execs bash in the end (a sandbox's)."""
        self.scratch = Path(scratch or cwd)
        # Steps and their output travel in memory: writing real files would cost more than
        # a quick command itself on a journaling file system. Bash appends to the capture
        # file through a descriptor opened here, so truncating the file starts each block
        # afresh without bash opening anything.
        self._command = os.memfd_create("execdocs-steps")
        self._capture = os.memfd_create("execdocs-output")
        own = f"/proc/{os.getpid()}/fd"
        capture_append = os.open(f"{own}/{self._capture}", os.O_WRONLY | os.O_APPEND)
        # Shared with bash: rewinding it here starts each request's read-back afresh.
        self._read_back = os.open(f"{own}/{self._capture}", os.O_RDONLY)
        # Each step's output follows a marker with its index and a token no output holds
        # by chance, so outputs are told apart even when the shell ends during a step.
        self._marker = f"\x1fexecdocs-{secrets.token_hex(8)}-"
        self._marker_pattern = re.compile(
            re.escape(self._marker.encode()) + rb"(\d+) ([0-9.,]*)\n")
        self._requests = 0
        self.background_groups: list[int] = []
        control_read, self._control = os.pipe()
        self._status, status_write = os.pipe()
        self._output, output_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*wrapper, "bash", "--noprofile", "--norc", "-c", _LOOP, "execdocs-session",
                 str(control_read), str(status_write), str(capture_append),
                 str(self._read_back), f"{own}/{self._command}"],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(control_read, status_write, capture_append, self._read_back),
                start_new_session=True,
            )
        finally:
            for fd in (control_read, status_write, output_write, capture_append):
                os.close(fd)
        os.set_blocking(self._output, False)
        os.set_blocking(self._status, False)
        self._status_buffer = b""
        self._output_open = True
        self._exited = os.pidfd_open(self.process.pid)  # readable once bash has ended
        self._poller = select.poll()
        for fd in (self._output, self._status, self._exited):
            self._poller.register(fd, select.POLLIN)
        # For the first moments of a request, wake only for its end: a quick command's
        # output waits in the pipe (made large) instead of costing a wake-up of its own.
        self._reply_poller = select.poll()
        self._reply_poller.register(self._status, select.POLLIN)
        self._reply_poller.register(self._exited, select.POLLIN)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self._output, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cwd(self) -> Path:
        """The shell's current directory (where a reader would be)."""
        try:
            return Path(os.readlink(f"/proc/{self.pid}/cwd"))
        except OSError:
            return Path(self.run('printf %s "$PWD"', 10).output)

    def run_steps(self, steps: Sequence[Step], timeout: float) -> list[ShellOutcome]:
        """Run console commands in order until one exits with another status than its
        step's, a `pause_after` step has run, or a block's output is not exactly as
        expected; each block may run for `timeout` seconds from its start. Returns the
        outcomes of the steps that ran (all of them when every one passed), in order; each
        has its output to judge."""
        lines, block = [], []
        for index, step in enumerate(steps):
            lines.append(_steps_line(index, step, self._marker))
            block.append((index, step))
            if step.ends_block and index < len(steps) - 1:
                lines.append(_block_check(block, self._marker))
                block = []
        lines.append("__execdocs_status=passed")
        os.ftruncate(self._command, 0)
        os.pwrite(self._command, "\n".join(lines).encode() + b"\n", 0)
        os.ftruncate(self._capture, 0)
        os.lseek(self._read_back, 0, os.SEEK_SET)
        starts = {0} | {index + 1 for index, step in enumerate(steps) if step.ends_block}
        try:
            reply, _, timed_out, seconds = self._request(
                "k", "", timeout, lambda: self._block_began(starts))
        except SessionEnded as ended:
            ended.completed = self._outcomes(steps, 0.0)[:-1]  # the last one ended it
            raise
        outcomes = self._outcomes(steps, seconds)
        if timed_out:
            last = outcomes.pop() if outcomes else ShellOutcome(None, "", seconds)
            outcomes.append(ShellOutcome(None, last.output, seconds, timed_out=True,
                                         began=last.began))
        elif reply not in ("passed", "checked"):
            outcomes[-1].status = int(reply)
        return outcomes

    def run(self, command: str, timeout: float) -> ShellOutcome:
        """Run one console command as typed at the prompt; any exit status is fine."""
        return self.run_steps([Step(command)], timeout)[-1]

    def source(self, script: str, timeout: float) -> ShellOutcome:
        """Run a shell block: sourced, with errexit and pipefail."""
        reply, output, timed_out, seconds = self._request(
            "s", str(self._script_file(script)), timeout)
        if timed_out:
            return ShellOutcome(None, output, seconds, timed_out=True)
        status, _, line = reply.partition(" ")
        return ShellOutcome(int(status), output, seconds, line=int(line) if line else None)

    def start_background(self, script: str) -> tuple[int, Path]:
        """Start a block in its own process group; returns its group id and its log file."""
        path = self._script_file(script)
        reply, _, timed_out, _ = self._request("b", str(path), 30)
        if timed_out:
            raise SessionEnded("the shell did not start the background block")
        group = int(reply.split()[1])
        self.background_groups.append(group)
        return group, Path(f"{path}.log")

    def close(self) -> None:
        """Stop background groups, end the shell and everything it left running."""
        for group in self.background_groups:
            processes.stop_group(group, KILL_GRACE)
        with contextlib.suppress(OSError):
            os.close(self._control)  # end of requests: the loop ends, bash exits
        # Wait on the pidfd: Popen.wait(timeout) polls with sleeps, a millisecond a page.
        if select.select([self._exited], [], [], KILL_GRACE)[0]:
            self.process.wait()
        # Whatever the page started and did not stop lives in the shell's session.
        processes.stop_session(self.pid, KILL_GRACE)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for fd in (self._status, self._output, self._command, self._capture, self._read_back,
                   self._exited):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the protocol ------------------------------------------------------------

    def _script_file(self, script: str) -> Path:
        self._requests += 1
        path = self.scratch / f"block-{self._requests:03d}.sh"
        path.write_text(script if script.endswith("\n") else script + "\n")
        return path

    def _markers(self) -> list[bytes]:
        """[index, began, output, index, began, output, ...] of each step that started
        (bash is idle or gone: the capture cannot change under us, except for what
        background processes append)."""
        captured = os.pread(self._capture, os.fstat(self._capture).st_size, 0)
        return self._marker_pattern.split(captured)[1:]

    def _outcomes(self, steps: Sequence[Step], seconds: float) -> list[ShellOutcome]:
        """An outcome for each step that started, with the status its step expects (the
        shell went on after it) and its output."""
        found = self._markers()
        return [ShellOutcome(step.status, _text(output), seconds, began=_seconds(began))
                for step, began, output in zip(steps, found[1::3], found[2::3], strict=False)]

    def _block_began(self, starts: set[int]) -> float:
        """When the block now running began, in `time.monotonic()` terms; `starts` are the
        indices of the steps that begin blocks."""
        found = self._markers()
        times = {int(index): when for index, when in zip(found[::3], found[1::3], strict=False)}
        first = max(index for index in starts if index <= max(times, default=0))
        began = _seconds(times[first]) if first in times else None
        if began is None:
            return time.monotonic()
        return time.monotonic() - (time.time() - began)

    def _request(self, kind: str, text: str, timeout: float,
                 began: Callable[[], float] | None = None) -> tuple[str, str, bool, float]:
        """Send a request; returns its reply, the pipe's output, whether it timed out (and
        was interrupted), and the seconds it took. With `began`, the timeout counts from
        the monotonic time it returns (when the running block began), not from now."""
        if self.process.poll() is not None:
            raise SessionEnded(f"the shell has ended (exit status {self.process.returncode})")
        started = time.monotonic()
        output = bytearray()
        try:
            os.write(self._control, (kind + text).encode() + b"\0")
        except BrokenPipeError:
            raise SessionEnded("the shell has ended") from None
        deadline = started + timeout
        while (reply := self._read_until_reply(output, deadline)) is None:
            if began is None or (deadline := began() + timeout) <= time.monotonic():
                break
        timed_out = reply is None
        if timed_out:
            reply = self._interrupt(output)
        return reply, _text(output), timed_out, time.monotonic() - started

    def _read_until_reply(self, output: bytearray, deadline: float) -> str | None:
        """Collect output until bash writes a reply line; None at the deadline."""
        poller, quiet_until = self._reply_poller, time.monotonic() + _QUIET_WAIT
        while b"\n" not in self._status_buffer:
            now = time.monotonic()
            if now >= deadline:
                return None
            if poller is self._reply_poller and now >= quiet_until:
                poller = self._poller  # a longer request: stream its output
            wait = min(deadline, quiet_until) if poller is self._reply_poller else deadline
            for fd, _event in poller.poll(max(wait - now, 0) * 1000):
                if fd == self._output:
                    self._drain_output(output)
                elif fd == self._status:
                    self._status_buffer += _read(self._status) or b""
                elif b"\n" not in self._status_buffer:  # bash ended without replying
                    self._status_buffer += _read(self._status) or b""
                    if b"\n" not in self._status_buffer:
                        self._drain_output(output)
                        raise self._ended(output)
        # Everything the request wrote is in the pipe by the time bash replies.
        self._drain_output(output)
        line, _, self._status_buffer = self._status_buffer.partition(b"\n")
        return line.decode()

    def _drain_output(self, output: bytearray) -> None:
        while chunk := _read(self._output):
            output += chunk
        if chunk == b"" and self._output_open:  # every writer is gone
            self._poller.unregister(self._output)
            self._output_open = False

    def _ended(self, output: bytearray) -> SessionEnded:
        """The shell ended during a request: with what that request wrote (the pipe's
        output and, for steps, the capture of the step that ended it)."""
        try:
            status = self.process.wait(KILL_GRACE)
        except subprocess.TimeoutExpired:
            status = None
        outputs = self._markers()[2::3]
        return SessionEnded(
            f"the shell ended during the block (exit status {status}); did it run `exit`?",
            output=_text(output) + _text(outputs[-1] if outputs else b""))

    def _interrupt(self, output: bytearray) -> str:
        """A request outlived its timeout: stop what it runs and return from it, level by
        level (functions, then the request), keeping the shell if it can be kept.
        Returns the request's reply."""
        give_up = time.monotonic() + KILL_GRACE
        while time.monotonic() < give_up:
            os.kill(self.pid, signal.SIGUSR1)
            processes.stop_descendants(self.pid, KILL_GRACE, keep_groups=self.background_groups)
            reply = self._read_until_reply(output, time.monotonic() + _LEVEL_WAIT)
            if reply is not None:
                return reply
        # The shell does not come back: it cannot be saved.
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()
        raise SessionEnded("the shell did not stop at the timeout and was killed")


def _steps_line(index: int, step: Step, marker: str) -> str:
    """One step of the script bash sources for `run_steps`. The command stands as typed,
    on lines of its own: bash parses a sourced file one command at a time, as it parses
    what a reader types (an unclosed quote reads on, a syntax error ends the script with
    status 2), where `eval` would parse it twice, which costs a quick command a few
    percent. Its status is cleared first, so that a command which ends the script itself
    (`return 3`, a syntax error) reports its own."""
    # A last line ending in a backslash would run on into the status check.
    command = f"eval {_quoted(step.command)}" if step.command.endswith("\\") else step.command
    stop = "return 0" if step.pause_after else f"((__execdocs_status == {step.status})) || return 0"
    return (
        f"__execdocs_status=; printf '%s %s\\n' {_quoted(f'{marker}{index}')} \"$EPOCHREALTIME\"\n"
        f"{command}\n"
        f"__execdocs_status=$?; {stop}"
    )


def _block_check(block: Sequence[tuple[int, Step]], marker: str) -> str:
    """The line after a block that another follows: go on only if each command's output
    (read back from the capture) is exactly the expected one. (In `[[ ]]` patterns bash
    reads extended globs: `+([0-9.,])` is the time in a marker line.)"""
    stop = "{ __execdocs_status=checked; return 0; }"
    if any(step.runner_judges or step.pause_after for _, step in block):
        return stop
    pattern = "".join(
        _quoted(f"{marker}{index} ") + "+([0-9.,])$'\\n'"
        + ("*" if step.output is None else _quoted(step.output))
        for index, step in block)
    return (f"! IFS= read -r -d '' -u {READ_BACK_FD} __execdocs_out"
            f" && [[ $__execdocs_out == {pattern} ]] || {stop}")


def _quoted(text: str) -> str:
    """`text` as one bash word ($'...': only backslashes and single quotes need escapes)."""
    return "$'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _read(fd: int) -> bytes | None:
    """Whatever is in a non-blocking pipe now: bytes, b"" at end of file, None if empty."""
    try:
        return os.read(fd, 65536)
    except BlockingIOError:
        return None


def _seconds(text: bytes) -> float | None:
    """A time bash wrote with $EPOCHREALTIME (its radix character follows the locale)."""
    try:
        return float(text.replace(b",", b"."))
    except ValueError:
        return None


def _text(output: bytes | bytearray) -> str:
    return bytes(output).decode("utf-8", errors="replace")
