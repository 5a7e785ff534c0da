"""X-Forwarded-For and X-Forwarded-Proto, believed from one peer only: the reverse proxy.

uvicorn's own ``--forwarded-allow-ips`` takes fixed addresses, but in Compose nginx gets
a new address whenever its container is recreated. So the proxy is named
(``TRUSTED_PROXY``, the ``frontend`` service) and looked up again when a peer is not among
its last known addresses; at most once a second, so that other peers cannot make the
backend flood the resolver. A request from any other peer keeps its own address and
scheme, whatever headers it sends.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

log = logging.getLogger("papertrade")

Resolve = Callable[[str], Awaitable[frozenset[str]]]
# The shortest time between two look-ups of the proxy's name.
REFRESH_SECONDS = 1.0


async def resolve_addresses(host: str) -> frozenset[str]:
    """Every address `host` resolves to; none when it does not resolve (yet)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        log.warning("trusted proxy %r does not resolve: %s", host, error)
        return frozenset()
    return frozenset(str(info[4][0]) for info in infos)


FORWARDED_HEADERS = (b"x-forwarded-for", b"x-forwarded-proto")


def forwarded(scope) -> bool:
    """Whether the request carries X-Forwarded-For or X-Forwarded-Proto."""
    return any(name in FORWARDED_HEADERS for name, _ in scope.get("headers", ()))


class TrustedProxyHeaders:
    """ASGI middleware: uvicorn's ProxyHeadersMiddleware, for requests from `proxy_host`."""

    def __init__(
        self,
        app,
        proxy_host: str,
        *,
        resolve: Resolve = resolve_addresses,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.proxy_host = proxy_host
        self._believing = ProxyHeadersMiddleware(app, trusted_hosts="*")
        self._resolve = resolve
        self._clock = clock
        self._addresses: frozenset[str] = frozenset()
        self._resolved_at: float | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and self.proxy_host:
            client = scope.get("client")
            # Without the headers there is nothing to believe, and no name to look up
            # (the health check's requests, every few seconds).
            if client and forwarded(scope) and await self.is_proxy(client[0]):
                return await self._believing(scope, receive, send)
        return await self.app(scope, receive, send)

    async def is_proxy(self, address: str) -> bool:
        if address in self._addresses:
            return True
        now = self._clock()
        if self._resolved_at is not None and now - self._resolved_at < REFRESH_SECONDS:
            return False
        self._resolved_at = now
        self._addresses = await self._resolve(self.proxy_host)
        return address in self._addresses
