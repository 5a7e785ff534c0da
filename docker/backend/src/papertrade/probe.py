"""The container's health check: exit 0 when the app's /health answers 200.

Run as ``python -m papertrade.probe``; it needs no curl, so the production image has none.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/health"
TIMEOUT_SECONDS = 5


def main() -> int:
    try:
        with urllib.request.urlopen(URL, timeout=TIMEOUT_SECONDS) as response:
            print(response.read().decode())
            return 0
    except urllib.error.HTTPError as error:
        print(f"{URL} answered {error.code}: {error.read().decode()}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as error:
        print(f"{URL} did not answer: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
