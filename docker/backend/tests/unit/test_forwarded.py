"""X-Forwarded-* are believed from the named proxy only, looked up again when it moves."""

import asyncio

from papertrade.forwarded import REFRESH_SECONDS, TrustedProxyHeaders

FORGED = [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")]


class Resolver:
    """The proxy's addresses as a test sets them, counting look-ups."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = frozenset(addresses)
        self.lookups = 0

    async def __call__(self, host: str) -> frozenset[str]:
        assert host == "frontend"
        self.lookups += 1
        return self.addresses


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def seen_by_app(middleware_for, peer: str, headers=FORGED) -> tuple[str, str]:
    """(client address, scheme) that the app sees for a request from `peer`."""
    seen = {}

    async def app(scope, receive, send):
        seen["client"], seen["scheme"] = scope["client"][0], scope["scheme"]

    scope = {"type": "http", "client": (peer, 40000), "scheme": "http", "headers": headers}
    asyncio.run(middleware_for(app)(scope, None, None))
    return seen["client"], seen["scheme"]


def test_headers_from_the_proxy_give_the_client_and_scheme():
    resolver = Resolver("172.18.0.4")
    middleware = lambda app: TrustedProxyHeaders(app, "frontend", resolve=resolver)  # noqa: E731
    assert seen_by_app(middleware, "172.18.0.4") == ("203.0.113.9", "https")


def test_headers_from_any_other_peer_are_ignored():
    resolver = Resolver("172.18.0.4")
    middleware = lambda app: TrustedProxyHeaders(app, "frontend", resolve=resolver)  # noqa: E731
    assert seen_by_app(middleware, "172.18.0.7") == ("172.18.0.7", "http")


def test_no_proxy_named_believes_nobody():
    resolver = Resolver("172.18.0.4")
    middleware = lambda app: TrustedProxyHeaders(app, "", resolve=resolver)  # noqa: E731
    assert seen_by_app(middleware, "172.18.0.4") == ("172.18.0.4", "http")
    assert resolver.lookups == 0


def test_a_request_without_forwarded_headers_looks_nothing_up():
    resolver = Resolver("172.18.0.4")
    middleware = lambda app: TrustedProxyHeaders(app, "frontend", resolve=resolver)  # noqa: E731
    assert seen_by_app(middleware, "127.0.0.1", headers=[]) == ("127.0.0.1", "http")
    assert resolver.lookups == 0


def test_a_new_address_of_the_proxy_is_found_and_lookups_are_rate_limited():
    resolver, clock = Resolver("172.18.0.4"), Clock()
    middleware = TrustedProxyHeaders(None, "frontend", resolve=resolver, clock=clock)

    async def checks() -> list[bool]:
        found = [await middleware.is_proxy("172.18.0.4")]
        resolver.addresses = frozenset({"172.18.0.9"})  # nginx recreated elsewhere
        found.append(await middleware.is_proxy("172.18.0.9"))  # within the second: no look-up
        clock.now += REFRESH_SECONDS
        found.append(await middleware.is_proxy("172.18.0.9"))
        found.append(await middleware.is_proxy("172.18.0.4"))  # the old address: no more
        return found

    assert asyncio.run(checks()) == [True, False, True, False]
    assert resolver.lookups == 2


def test_lifespan_passes_through():
    events = []

    async def app(scope, receive, send):
        events.append(scope["type"])

    middleware = TrustedProxyHeaders(app, "frontend", resolve=Resolver())
    asyncio.run(middleware({"type": "lifespan"}, None, None))
    assert events == ["lifespan"]
