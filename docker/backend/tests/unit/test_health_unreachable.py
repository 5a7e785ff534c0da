"""The health checks answer "failing" when nothing listens (port 1 on loopback refuses),
name no host or error in that answer, and log what failed instead."""

import logging

import pytest
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from papertrade import health

pytestmark = pytest.mark.anyio


async def test_both_failures_are_generic_in_the_answer_and_detailed_in_the_log(caplog):
    cache = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    pool = AsyncConnectionPool(
        "postgresql://nobody@127.0.0.1:1/none", min_size=1, open=False, reconnect_timeout=1
    )
    await pool.open(wait=False)
    try:
        with caplog.at_level(logging.WARNING, logger="papertrade.health"):
            checks = await health.check_all(pool, cache)
    finally:
        await cache.aclose()
        await pool.close()
    assert checks == {"database": health.FAILING, "cache": health.FAILING}
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "papertrade.health")
    assert "health: database:" in logged
    assert "health: cache:" in logged and "127.0.0.1:1" in logged
