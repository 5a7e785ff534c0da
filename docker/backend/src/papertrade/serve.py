"""Serve the app with uvicorn, configured from the settings (the production command)."""

from __future__ import annotations

import sys

import uvicorn

from papertrade.app import create_app
from papertrade.forwarded import TrustedProxyHeaders
from papertrade.settings import SettingsError, load_settings

PORT = 8000


def main() -> int:
    try:
        settings = load_settings()
        app = create_app(settings)
    except SettingsError as error:
        print(f"papertrade: {error}", file=sys.stderr)
        return 2
    uvicorn.run(
        # The client's address and scheme from X-Forwarded-* of TRUSTED_PROXY (nginx)
        # only: the logs show the address nginx saw, which a client cannot forge.
        TrustedProxyHeaders(app, settings.trusted_proxy),
        host="0.0.0.0",
        port=PORT,
        log_level=settings.log_level,
        proxy_headers=False,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
