"""Whether PostgreSQL and Redis answer: "ok" or "failing" for each, nothing more.

/health is public, so its answer names no host, role or error message: what failed is
written to the log, at warning level, for the operator.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2
OK = "ok"
FAILING = "failing"


async def check_database(pool: AsyncConnectionPool) -> str:
    # A connection from the app's own pool, not a new one per call: the answer is whether
    # the app can use its database (the pool checks a connection as it hands it out and
    # replaces a broken one), and frequent probes cannot use up PostgreSQL's connections.
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            async with pool.connection(timeout=TIMEOUT_SECONDS) as conn:
                await conn.execute("SELECT 1")
    except TimeoutError:
        log.warning("health: database: no answer within %ss", TIMEOUT_SECONDS)
        return FAILING
    except psycopg.Error as error:  # PoolTimeout and PoolClosed are psycopg errors too
        log.warning("health: database: %s", first_line(error))
        return FAILING
    return OK


async def check_cache(redis: Redis) -> str:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await redis.ping()
    except TimeoutError:
        log.warning("health: cache: no answer to PING within %ss", TIMEOUT_SECONDS)
        return FAILING
    except Exception as error:  # any failure of the cache is the answer, not a crash
        log.warning("health: cache: %s", first_line(error))
        return FAILING
    return OK


async def check_all(pool: AsyncConnectionPool, redis: Redis) -> dict[str, str]:
    database, cache = await asyncio.gather(check_database(pool), check_cache(redis))
    return {"database": database, "cache": cache}


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
