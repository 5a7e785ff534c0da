"""Redis as a cache of finished idempotent responses, in front of PostgreSQL's record.

What Redis holds: a copy of each finished response under its Idempotency-Key (the
request's fingerprint, the status and the body), expiring no later than the key's row in
PostgreSQL (idempotency.py). A replay found here costs no database round trip; nothing
else depends on it. An entry that is missing, evicted, or lost when Redis restarts means
one lookup in PostgreSQL, never a second trade; when Redis does not answer at all, the
request goes to PostgreSQL as if the entry were missing, and the failure is logged.

So Redis needs no persistence (`save ""`, `appendonly no`) and may evict any key when its
memory is full (`maxmemory-policy allkeys-lru`; every entry has a TTL, so `volatile-lru`
would behave the same): the settings docker/cache/redis.conf already has.
"""

from __future__ import annotations

import asyncio
import json
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from papertrade.health import first_line
from papertrade.idempotency import Recorded, StoredResponse

log = logging.getLogger(__name__)

KEY_PREFIX = "papertrade:idempotency:"
# The longest a request waits for the cache (the Redis client retries a failed command):
# past it, the request carries on with PostgreSQL alone.
TIMEOUT_SECONDS = 1


class ReplyCache:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def get(self, key: str) -> Recorded | None:
        """The cached response, or None: not cached, unreadable, or Redis not answering."""
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.get(KEY_PREFIX + key).ttl(KEY_PREFIX + key)
                    stored, seconds_left = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("reply cache: read skipped, asking PostgreSQL: %s", first_line(error))
            return None
        if not stored:
            return None
        try:
            entry = json.loads(stored)
            response = StoredResponse(entry["status_code"], entry["body"])
            return Recorded(entry["fingerprint"], response, max(seconds_left, 1))
        except (ValueError, KeyError, TypeError):  # not an entry this code wrote
            return None

    async def put(self, key: str, recorded: Recorded) -> None:
        """Cache the response for as long as its key holds; a failure is only logged."""
        entry = {
            "fingerprint": recorded.fingerprint,
            "status_code": recorded.response.status_code,
            "body": recorded.response.body,
        }
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await self.redis.set(KEY_PREFIX + key, json.dumps(entry), ex=recorded.seconds_left)
        except (RedisError, OSError, TimeoutError) as error:
            log.warning(
                "reply cache: write skipped (PostgreSQL has the key): %s", first_line(error)
            )
