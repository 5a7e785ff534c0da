"""A bounded load loop: GET a URL over and over, count what failed, print a summary.

    python load.py URL [--requests N] [--seconds S]

Stops after N requests or S seconds, or at SIGTERM (`docker stop`), whichever comes
first, then prints one line: requests, failed, seconds. Exits 1 when any request failed
(an error, a timeout, or a status other than 200). Python's standard library only, so it
runs in the backend's image on the stack's network.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    sent = failed = 0
    started = time.monotonic()
    while not stopping and sent < args.requests and time.monotonic() - started < args.seconds:
        sent += 1
        try:
            with urllib.request.urlopen(args.url, timeout=TIMEOUT_SECONDS) as response:
                response.read()
                ok = response.status == 200
        except (urllib.error.URLError, OSError) as error:
            ok = False
            print(f"request {sent}: {error}", file=sys.stderr, flush=True)
        failed += not ok
    elapsed = time.monotonic() - started
    print(f"requests: {sent}, failed: {failed}, seconds: {elapsed:.0f}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
