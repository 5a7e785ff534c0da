"""The health checks name the failure when nothing listens (port 1 on loopback refuses)."""

import pytest
from redis.asyncio import Redis

from papertrade import health

pytestmark = pytest.mark.anyio


async def test_both_failures_are_named():
    cache = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        checks = await health.check_all("postgresql://nobody@127.0.0.1:1/none", cache)
    finally:
        await cache.aclose()
    assert set(checks) == {"database", "cache"}
    assert "port 1 failed" in checks["database"]
    assert "127.0.0.1:1" in checks["cache"]
