"""The forwarder: the reader's port in a page's network namespace reaches the host port
standing for it, and is refused while nothing listens there. Needs root for the
namespace; no engine."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from execdocs import forwarder, sandbox

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"),
    reason="a network namespace needs root, unshare and nsenter")


@pytest.fixture
def page_namespace(tmp_path, request):
    """A namespace and its forwarder (how often it looks, from the test's parameter)."""
    timing = getattr(request, "param", ())
    holder = subprocess.Popen(["unshare", "--net", "--", "sh", "-c",
                               "ip link set lo up && exec sleep 600"])
    deadline = time.monotonic() + 5
    while os.readlink(f"/proc/{holder.pid}/ns/net") == os.readlink("/proc/self/ns/net"):
        assert time.monotonic() < deadline, "the namespace did not appear"
        time.sleep(0.01)
    while ",UP" not in subprocess.run(
            ["nsenter", f"--net=/proc/{holder.pid}/ns/net", "ip", "-o", "link", "show", "lo"],
            capture_output=True, text=True).stdout:
        assert time.monotonic() < deadline, "the namespace's loopback did not come up"
        time.sleep(0.01)
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", str(sandbox.FORWARDER), f"/proc/{holder.pid}/ns/net",
         str(tmp_path / "ports.sock"), str(tmp_path / "ports.json"), *timing])
    yield holder.pid, str(tmp_path / "ports.sock")
    process.kill()
    holder.kill()
    process.wait()
    holder.wait()


def fetch_in(pid: int, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nsenter", f"--net=/proc/{pid}/ns/net", sys.executable, "-c",
         "import socket,sys\n"
         f"s = socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
         "print(s.recv(100).decode())"],
        capture_output=True, text=True, timeout=30)


def test_the_readers_port_follows_the_host_port_it_stands_for(page_namespace):
    pid, control = page_namespace
    host_port = forwarder.allocate(control, "127.0.0.1", 8000)
    assert len(str(host_port)) == 4 and host_port != 8000
    assert forwarder.allocate(control, "127.0.0.1", 8000) == host_port  # stable

    refused = fetch_in(pid, 8000)
    assert refused.returncode != 0 and "ConnectionRefusedError" in refused.stderr

    server = socket.create_server(("127.0.0.1", host_port))

    def answer() -> None:
        connection, _ = server.accept()
        connection.sendall(b"from the host port")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    # The page side opens once the forwarder sees the host listen (it polls): until then
    # the reader's port is refused, as a port nothing listens on is.
    deadline = time.monotonic() + 10
    while (reached := fetch_in(pid, 8000)).returncode != 0 and time.monotonic() < deadline:
        assert "ConnectionRefusedError" in reached.stderr, reached.stderr
    assert reached.stdout.strip() == "from the host port", reached.stderr
    server.close()


# A minute between looks: only a sync can open or close the port in time.
@pytest.mark.parametrize("page_namespace", [("60",)], indirect=True)
def test_after_sync_the_readers_port_is_as_the_host_port_is_at_once(page_namespace):
    """The guard syncs when a docker command ends: the next command finds the port open
    (or closed) without waiting for the forwarder's next look."""
    pid, control = page_namespace
    host_port = forwarder.allocate(control, "127.0.0.1", 8001)
    server = socket.create_server(("127.0.0.1", host_port))
    threading.Thread(target=lambda: server.accept()[0].sendall(b"open"), daemon=True).start()
    forwarder.sync(control)
    reached = fetch_in(pid, 8001)
    assert reached.stdout.strip() == "open", reached.stderr
    server.close()
    forwarder.sync(control)
    refused = fetch_in(pid, 8001)
    assert refused.returncode != 0 and "ConnectionRefusedError" in refused.stderr


def test_sync_with_no_forwarder_is_nothing(tmp_path):
    forwarder.sync(str(tmp_path / "none.sock"))  # no error: the page had no ports


def test_the_listening_ports_are_the_kernels_by_both_ways_of_asking():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    try:
        assert port in forwarder.listening_ports()
        assert port in forwarder._listening_from_proc()  # the fallback
    finally:
        server.close()
    assert port not in forwarder.listening_ports()
