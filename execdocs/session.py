"""One persistent bash process per page: the reader's terminal.

Requests reach bash on a control pipe and run in the same shell, so `cd`, `export`,
variables, functions and files persist from block to block. After each request bash
writes a reply line on a separate status pipe.

Console commands are sent a block at a time, as `Step`s: bash runs them one by one, each
with stdout and stderr together (in the order written) in an in-memory capture file, and
judges each itself when it can: the exit status, and the output when the expected output
is plain text that must match exactly. It stops at the first command it cannot pass, so
a command never runs before the one above it has passed; the runner then judges that
command with the full matcher (wildcards, regexes, escapes) and sends the rest. A page of
quick commands thus costs about one round trip per block, not one per command, and no
process is spawned per command.

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
import select
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from execdocs import processes

CONTROL_FD = 62  # bash reads requests here
STATUS_FD = 63  # bash writes reply lines here
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
_LEVEL_WAIT = 0.05  # seconds for the shell to return one level after SIGUSR1
_QUIET_WAIT = 0.005  # seconds a request may run before its output is read as it comes
_PIPE_SIZE = 1 << 20  # the default maximum for unprivileged processes
_SEP = "\n"  # between a step's index and its output in the capture file

# The loop bash runs. A request is one NUL-terminated string: a kind letter, then text.
#   k: source the steps script (in the command memory file); reply "index status", the
#      step it stopped at (the number of steps when all passed) and that step's status.
#   s: source a shell block file with errexit; reply "status [failed line]".
#   b: start a file in the background, in its own process group, its output in the log
#      file named after it; reply "0 process-group".
# Commands read /dev/null (the shell's own stdin), as a reader's terminal gives them no
# input. They inherit the control and status pipes, as they would inherit a terminal:
# redirecting them away costs a dozen system calls per command, and the session notices
# the shell's end through a pidfd, not through the end of the status pipe.
_LOOP = rf"""
eval "exec {CONTROL_FD}<&$1 {STATUS_FD}>&$2 $1<&- $2>&-"
__execdocs_command=$3 __execdocs_capture=$4
trap 'if ((${{#BASH_SOURCE[@]}})); then
    __execdocs_aborted=1
    trap "((\${{#BASH_SOURCE[@]}})) && return 143" DEBUG
    return 143
  fi' USR1
# After a step: did it pass? (status, then the exact output when there is one to compare)
__execdocs_verdict() {{
  __execdocs_status=$?
  [[ $__execdocs_status == "$__execdocs_expect" && $__execdocs_mode != ask ]] || return 1
  [[ $__execdocs_mode == status ]] && return 0
  # A NUL byte in the output: the runner reads it whole and judges.
  IFS= read -r -d '' __execdocs_out <"$__execdocs_capture" && return 1
  [[ $__execdocs_out == "$__execdocs_want" ]]
}}
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
    k*) __execdocs_index=0 __execdocs_status=
        . "$__execdocs_command"
        __execdocs_status="$__execdocs_index ${{__execdocs_status:-$?}}" ;;
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


@dataclass(frozen=True)
class Step:
    """One console command, with what the shell needs to judge it on its own."""

    command: str
    status: int = 0  # the exit status it must have
    exact_output: str | None = None  # when set, its output must be exactly this
    runner_judges: bool = False  # the output needs the runner's matcher: stop after it


@dataclass
class Outcome:
    """What one request did."""

    status: int | None  # None when it timed out
    output: str  # stdout and stderr, interleaved as written
    seconds: float
    timed_out: bool = False
    line: int | None = None  # shell blocks: the block's line whose command failed


class Session:
    """A bash process in its own process group and session, started in `cwd`."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None, scratch: Path | None = None):
        self.scratch = Path(scratch or cwd)
        # Steps and their output travel in memory, in files bash opens through /proc (so
        # no command inherits them): writing real files per command would cost more than
        # the command itself on a journaling file system.
        self._command = os.memfd_create("execdocs-steps")
        self._capture = os.memfd_create("execdocs-output")
        self._requests = 0
        self.background_groups: list[int] = []
        self.ended_in_step: int | None = None  # when the shell ended during run_steps
        self.partial_output = ""
        control_read, self._control = os.pipe()
        self._status, status_write = os.pipe()
        self._output, output_write = os.pipe()
        own = f"/proc/{os.getpid()}/fd"
        try:
            self.process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-c", _LOOP, "execdocs-session",
                 str(control_read), str(status_write), f"{own}/{self._command}",
                 f"{own}/{self._capture}"],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(control_read, status_write),
                start_new_session=True,
            )
        finally:
            for fd in (control_read, status_write, output_write):
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

    def run_steps(self, steps: Sequence[Step], timeout: float) -> tuple[int, Outcome]:
        """Run console commands in order until one does not pass on the shell's own
        judgement. Returns its index (len(steps) when all passed) and its outcome."""
        script = [_steps_line(index, step) for index, step in enumerate(steps)]
        script.append(f"__execdocs_index={len(steps)} __execdocs_status=0")
        data = "\n".join(script).encode() + b"\n"
        os.ftruncate(self._command, 0)
        os.pwrite(self._command, data, 0)
        reply, _, timed_out, seconds = self._request("k", "", timeout)
        index, _, status = reply.partition(" ")
        output = _text(self._captured()[1])
        if timed_out:
            return int(index), Outcome(None, output, seconds, timed_out=True)
        return int(index), Outcome(int(status), output, seconds)

    def run(self, command: str, timeout: float) -> Outcome:
        """Run one console command as typed at the prompt; any exit status is fine."""
        return self.run_steps([Step(command, runner_judges=True)], timeout)[1]

    def source(self, script: str, timeout: float) -> Outcome:
        """Run a shell block: sourced, with errexit and pipefail."""
        reply, output, timed_out, seconds = self._request(
            "s", str(self._script_file(script)), timeout)
        if timed_out:
            return Outcome(None, output, seconds, timed_out=True)
        status, _, line = reply.partition(" ")
        return Outcome(int(status), output, seconds, line=int(line) if line else None)

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
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(KILL_GRACE)
        # Whatever the page started and did not stop lives in the shell's session.
        processes.stop_session(self.pid, KILL_GRACE)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for fd in (self._status, self._output, self._command, self._capture, self._exited):
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

    def _captured(self) -> tuple[int | None, bytes]:
        """The index and output of the last step run (bash is idle or gone: the capture
        cannot change under us, except for what background processes append)."""
        size = os.fstat(self._capture).st_size
        index, _, output = os.pread(self._capture, size, 0).partition(_SEP.encode())
        return (int(index) if index.isdigit() else None), output

    def _request(self, kind: str, text: str, timeout: float) -> tuple[str, str, bool, float]:
        """Send a request; returns its reply, the pipe's output, whether it timed out (and
        was interrupted), and the seconds it took."""
        if self.process.poll() is not None:
            raise SessionEnded(f"the shell has ended (exit status {self.process.returncode})")
        started = time.monotonic()
        output = bytearray()
        try:
            os.write(self._control, (kind + text).encode() + b"\0")
        except BrokenPipeError:
            raise SessionEnded("the shell has ended") from None
        reply = self._read_until_reply(output, started + timeout)
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
                        raise SessionEnded(self._ended_message(output))
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

    def _ended_message(self, output: bytearray) -> str:
        try:
            status = self.process.wait(KILL_GRACE)
        except subprocess.TimeoutExpired:
            status = None
        self.ended_in_step, captured = self._captured()
        self.partial_output = _text(output) + _text(captured)
        return f"the shell ended during the block (exit status {status}); did it run `exit`?"

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


def _steps_line(index: int, step: Step) -> str:
    """One step of the script bash sources for `run_steps`."""
    if step.runner_judges:
        mode, want = "ask", ""
    elif step.exact_output is not None:
        mode, want = "check", step.exact_output
    else:
        mode, want = "status", ""
    # The capture starts with the step's index, so that even if the shell dies (`exit`)
    # the runner knows which step it was running.
    return (
        f"__execdocs_index={index} __execdocs_status= __execdocs_expect={step.status}"
        f" __execdocs_mode={mode} __execdocs_want={_quoted(f'{index}{_SEP}{want}')}\n"
        f"printf '%d{_SEP}' {index} >\"$__execdocs_capture\"; {{ eval {_quoted(step.command)}; }}"
        ' >>"$__execdocs_capture" 2>&1; __execdocs_verdict || return 0'
    )


def _quoted(text: str) -> str:
    """`text` as one bash word ($'...': only backslashes and single quotes need escapes)."""
    return "$'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _read(fd: int) -> bytes | None:
    """Whatever is in a non-blocking pipe now: bytes, b"" at end of file, None if empty."""
    try:
        return os.read(fd, 65536)
    except BlockingIOError:
        return None


def _text(output: bytes | bytearray) -> str:
    return bytes(output).decode("utf-8", errors="replace")
