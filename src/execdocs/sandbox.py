"""A page's own network: its shell runs in a network namespace of its own, where
`127.0.0.1:8000` is the page's and no one else's, reaching the internet through
slirp4netns (user-mode networking, nothing changed on the host) and the ports the engine
published for the page through `forwarder`. With `translate` in the guard, this is what
lets a page run exactly as the reader sees it beside a contributor's stack of the same
name and beside other runs.

Isolation needs root (a network namespace), `unshare` and `ip`; slirp4netns is needed
only by pages that reach the internet from the shell (npm, pip on the host). Without
them, or with EXECDOCS_ISOLATION=off, pages run on the host's network and the guard's
refusals keep them off what is not theirs.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

FORWARDER = Path(__file__).with_name("forwarder.py")
SWITCH = "EXECDOCS_ISOLATION"  # "off" runs pages on the host's network
CONTROL = "ports.sock"  # in the page directory: the forwarder's control socket
PORTS = "ports.json"  # in the page directory: reader port -> host port
NAMES = "names.json"  # in the page directory: reader project name -> engine's
IMAGES = "images.json"  # in the page directory: reader image namespace -> the page's
BUILT = "built.json"  # in the page directory: reader image reference -> the page's
BUILT_IDS = "built-ids"  # in the page directory: every image id the page's tags held
_READY_SECONDS = 10


def unavailable() -> str | None:
    """Why pages cannot be isolated here, or None when they can."""
    if os.environ.get(SWITCH, "").lower() in ("off", "0", "no", "false"):
        return f"{SWITCH}=off"
    if os.geteuid() != 0:
        return "a network namespace per page needs root"
    missing = [tool for tool in ("unshare", "ip") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found"
    return None


@dataclass
class Sandbox:
    """The network of one page: namespace (through the session's wrapper), egress and
    port forwarding."""

    directory: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    _exit_write: int | None = None

    def wrapper(self) -> list[str]:
        """The command prefix that starts the session in its own network namespace (and,
        where the host's resolver is on its loopback, with a resolver reachable there)."""
        script = "ip link set lo up"
        options = ["--net"]
        resolver = self._resolver_file()
        if resolver is not None:
            options += ["--mount", "--propagation", "slave"]
            script += f" && mount --bind {resolver} /etc/resolv.conf"
        return ["unshare", *options, "--", "sh", "-c", f'{script} && exec "$@"',
                "execdocs-sandbox"]

    def start(self, pid: int) -> None:
        """Connect the namespace of process `pid` (the page's shell) to the world."""
        read_exit, self._exit_write = os.pipe()  # closes when the runner dies
        if shutil.which("slirp4netns"):
            ready_read, ready_write = os.pipe()
            slirp = subprocess.Popen(
                ["slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                 "--ready-fd", str(ready_write), "--exit-fd", str(read_exit), str(pid), "tap0"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(ready_write, read_exit), start_new_session=True)
            os.close(ready_write)
            self.processes.append(slirp)
            _wait_readable(ready_read, _READY_SECONDS)
            os.close(ready_read)
        os.close(read_exit)
        with open(self.directory / "forwarder.log", "w") as log:  # the child keeps its own
            forwarder = subprocess.Popen(
                [sys.executable, "-I", "-S", str(FORWARDER), f"/proc/{pid}/ns/net",
                 str(self.directory / CONTROL), str(self.directory / PORTS)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True)
        self.processes.append(forwarder)

    def stop(self) -> None:
        # Neither keeps anything worth a graceful end: the namespace goes with the shell.
        # The kernel takes its time tearing a namespace down; the next page need not wait
        # for that, so the processes are reaped in the background.
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        threading.Thread(target=_reap, args=(list(self.processes),), daemon=True).start()
        self.processes.clear()
        if self._exit_write is not None:
            os.close(self._exit_write)
            self._exit_write = None

    def _resolver_file(self) -> Path | None:
        try:
            servers = [line.split()[1] for line in Path("/etc/resolv.conf").read_text()
                       .splitlines() if line.startswith("nameserver") and len(line.split()) > 1]
        except OSError:
            return None
        if not servers or not all(s.startswith("127.") or s == "::1" for s in servers):
            return None
        resolver = self.directory / "resolv.conf"
        resolver.write_text("nameserver 10.0.2.3\n")  # slirp4netns's DNS forwarder
        return resolver


def _reap(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.wait()


def _wait_readable(fd: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            return
