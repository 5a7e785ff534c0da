"""Whether PostgreSQL and Redis answer, and if not, what each said."""

from __future__ import annotations

import asyncio

import psycopg
from redis.asyncio import Redis

TIMEOUT_SECONDS = 2
OK = "ok"


async def check_database(database_url: str) -> str:
    # A fresh connection, not one from the pool: the check must see what a new client sees.
    try:
        async with await psycopg.AsyncConnection.connect(
            database_url, connect_timeout=TIMEOUT_SECONDS
        ) as conn:
            await conn.execute("SELECT 1")
    except psycopg.Error as error:
        return first_line(error)
    return OK


async def check_cache(redis: Redis) -> str:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await redis.ping()
    except TimeoutError:
        return f"no answer to PING within {TIMEOUT_SECONDS}s"
    except Exception as error:  # any failure of the cache is the answer, not a crash
        return first_line(error)
    return OK


async def check_all(database_url: str, redis: Redis) -> dict[str, str]:
    database, cache = await asyncio.gather(check_database(database_url), check_cache(redis))
    return {"database": database, "cache": cache}


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
