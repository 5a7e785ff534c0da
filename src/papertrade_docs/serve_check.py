"""Refuse to start `mkdocs serve` on an address that is already taken, in one line."""

from __future__ import annotations

import socket
import sys


def address_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1:8765"
    host, _, port_text = address.rpartition(":")
    if address_in_use(host, int(port_text)):
        print(
            f"serve: {address} is already in use (another 'make serve'?): stop it, "
            f"or choose another address with 'make serve SERVE_ADDR={host}:PORT'",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
