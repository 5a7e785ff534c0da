"""Serve the app with uvicorn, configured from the settings (the production command)."""

from __future__ import annotations

import sys

import uvicorn

from papertrade.settings import SettingsError, load_settings

PORT = 8000


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"papertrade: {error}", file=sys.stderr)
        return 2
    uvicorn.run(
        "papertrade.main:app",
        host="0.0.0.0",
        port=PORT,
        log_level=settings.log_level,
        # Behind the frontend's nginx: trust its X-Forwarded-* headers.
        proxy_headers=True,
        forwarded_allow_ips="*",
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
