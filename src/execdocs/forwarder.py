"""A page's ports: the reader's `127.0.0.1:8000`, inside the page's network namespace,
reaches the port the engine really published for the page (say `127.0.0.1:23456`).

Run by the runner for one isolated page, with the standard library only:

    python -I -S forwarder.py NETNS_PATH CONTROL_SOCKET PORTS_FILE [POLL_SECONDS]

The guard asks it over CONTROL_SOCKET (`allocate HOST_IP PORT`) for the host port that
stands for a reader's port; the answer is the same for the same port all page long.
Each pair is written to PORTS_FILE (JSON) for the guard's output translation.

The page side mirrors the host side: the page's port listens only while the engine's
published port does, so a reader's `curl` that would be refused is refused here too, and
one that would connect connects. The guard asks for the mirror (`sync`) when each docker
command of the page ends, so the next command finds the ports as the engine has them;
between commands the listening ports are polled. They are asked of the kernel's socket
diagnostics (netlink), which lists listening sockets alone: /proc/net/tcp, the fallback,
walks the whole connection table (7 ms a read here, 14% of a CPU at this poll rate).
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
POLL_SECONDS = 0.05
_LISTEN = "0A"
_libc = ctypes.CDLL(None, use_errno=True)


def setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def listening_ports() -> set[int]:
    """Ports something listens on in this process's (the host's) namespace."""
    try:
        return _listening(socket.AF_INET) | _listening(socket.AF_INET6)
    except OSError:  # no sock_diag (an old or locked-down kernel)
        return _listening_from_proc()


# Netlink socket diagnostics (linux/sock_diag.h, linux/inet_diag.h): a dump of the TCP
# sockets in one state.
_NETLINK_SOCK_DIAG, _SOCK_DIAG_BY_FAMILY = 4, 20
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_TCP_LISTEN = 10
_HEADER = "=IHHII"  # nlmsghdr: length, type, flags, sequence, port id


def _listening(family: int) -> set[int]:
    ports = set()
    # inet_diag_req_v2: family, protocol, extensions, pad, states; an empty socket id.
    request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 1 << _TCP_LISTEN)
    request += bytes(48)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as diag:
        diag.settimeout(5)
        diag.sendto(struct.pack(_HEADER, struct.calcsize(_HEADER) + len(request),
                                _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST | _NLM_F_DUMP, 1, 0)
                    + request, (0, 0))
        while True:
            data, offset = diag.recv(65536), 0
            while offset + struct.calcsize(_HEADER) <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind == _NLMSG_DONE:
                    return ports
                if kind == _NLMSG_ERROR or length < struct.calcsize(_HEADER):
                    raise OSError("socket diagnostics refused the request")
                # inet_diag_msg: family, state, timer, retransmits, then the source port
                # (network byte order).
                ports.add(struct.unpack_from("!H", data, offset + 16 + 4)[0])
                offset += (length + 3) & ~3


def _listening_from_proc() -> set[int]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 3 and fields[3] == _LISTEN:
                        found.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            continue
    return found


def free_port(like: int, taken: set[int]) -> int:
    """A port free on the host with as many digits as `like` (so tables keep their
    columns), away from the kernel's range for outgoing connections where possible."""
    digits = len(str(like))
    low, high = (1024, 9999) if digits <= 4 else (10000, 32767)
    busy = listening_ports() | taken
    for _ in range(500):
        candidate = random.randint(low, high)
        if candidate in busy or candidate == like:
            continue
        probe = socket.socket()
        try:
            probe.bind(("0.0.0.0", candidate))
        except OSError:
            continue
        finally:
            probe.close()
        return candidate
    raise OSError("no free port found")


class Forward:
    def __init__(self, host_ip: str, port: int, host_port: int):
        self.host_ip, self.port, self.host_port = host_ip, port, host_port
        self.listener: socket.socket | None = None

    @property
    def target(self) -> tuple[str, int]:
        ip = "127.0.0.1" if self.host_ip in ("0.0.0.0", "") else self.host_ip
        ip = "::1" if ip == "::" else ip
        return ip, self.host_port


class Forwarder:
    def __init__(self, netns: str, control: str, ports_file: str,
                 poll_seconds: str = str(POLL_SECONDS)):
        self.poll_seconds = float(poll_seconds)
        self.page_ns = os.open(netns, os.O_RDONLY)
        self.host_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.ports_file = ports_file
        self.forwards: dict[tuple[str, int], Forward] = {}
        self.selector = selectors.DefaultSelector()
        self.control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.control.bind(control)
        self.control.listen(16)
        self.selector.register(self.control, selectors.EVENT_READ, self._request)
        self.parent = os.getppid()

    def serve(self) -> None:
        while os.getppid() == self.parent:  # the runner is gone: so is the page
            for key, _ in self.selector.select(self.poll_seconds):
                key.data(key.fileobj)
            self._mirror()

    def _request(self, control: socket.socket) -> None:
        connection, _ = control.accept()
        with connection:
            connection.settimeout(5)
            words = connection.recv(1024).decode().split()
            if words == ["sync"]:
                self._mirror()
                connection.sendall(b"ok\n")
                return
            try:
                if len(words) != 3 or words[0] != "allocate":
                    raise ValueError(f"unknown request {words!r}")
                host_ip, port = words[1], int(words[2])
                forward = self.forwards.get((host_ip, port))
                if forward is None:
                    taken = {f.host_port for f in self.forwards.values()}
                    forward = Forward(host_ip, port, free_port(port, taken))
                    self.forwards[(host_ip, port)] = forward
                    self._write_ports()
                connection.sendall(f"{forward.host_port}\n".encode())
            except (ValueError, OSError) as error:
                connection.sendall(f"error {error}\n".encode())

    def _write_ports(self) -> None:
        pairs = [{"host_ip": f.host_ip, "port": f.port, "host_port": f.host_port}
                 for f in self.forwards.values()]
        partial = f"{self.ports_file}.partial"
        with open(partial, "w") as file:
            json.dump(pairs, file)
        os.replace(partial, self.ports_file)

    def _mirror(self) -> None:
        """Open the page's port while the host's listens; close it when that stops."""
        if not self.forwards:
            return
        listening = listening_ports()
        for forward in self.forwards.values():
            up = forward.host_port in listening
            if up and forward.listener is None:
                forward.listener = self._listen_in_page(forward)
                if forward.listener is not None:
                    self.selector.register(forward.listener, selectors.EVENT_READ,
                                           self._accepter(forward))
            elif not up and forward.listener is not None:
                self.selector.unregister(forward.listener)
                forward.listener.close()
                forward.listener = None

    def _listen_in_page(self, forward: Forward) -> socket.socket | None:
        family = socket.AF_INET6 if ":" in forward.host_ip else socket.AF_INET
        setns(self.page_ns)
        try:
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((forward.host_ip or "0.0.0.0", forward.port))
            listener.listen(64)
            listener.setblocking(False)
            return listener
        except OSError:
            return None  # the page bound that port itself: as on the reader's machine
        finally:
            setns(self.host_ns)

    def _accepter(self, forward: Forward):
        def accept(listener: socket.socket) -> None:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            client.setblocking(True)
            try:
                upstream = socket.create_connection(forward.target, timeout=10)
            except OSError:
                client.close()
                return
            upstream.settimeout(None)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()
        return accept


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def allocate(control: str, host_ip: str, port: int) -> int:
    """The host port standing for the reader's `host_ip:port` (for the guard)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(control)
                connection.sendall(f"allocate {host_ip or '0.0.0.0'} {port}\n".encode())
                answer = connection.makefile().readline().strip()
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if not answer.isdigit():
        raise OSError(f"the page's port forwarder answered {answer!r}")
    return int(answer)


def sync(control: str) -> None:
    """Have the page's ports mirror the engine's now (the guard, when a docker command
    ends). Nothing when the page has no forwarder, or it has gone."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(10)
            connection.connect(control)
            connection.sendall(b"sync\n")
            connection.makefile().readline()
    except OSError:
        pass


if __name__ == "__main__":
    Forwarder(*sys.argv[1:5]).serve()
