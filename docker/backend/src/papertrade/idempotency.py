"""Idempotency keys in Redis: a request repeated with the same Idempotency-Key header gets
the first response again instead of running twice (a retried trade is not a second trade).

The key is first reserved with SET NX, so of two concurrent requests only one runs; the
other is told to retry. The finished response then replaces the reservation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

KEY_PREFIX = "papertrade:idempotency:"
# A reservation outlives a normal request by far, but frees the key if the process died.
RESERVATION_SECONDS = 60


class IdempotencyConflict(Exception):
    """The key is in use by a request still running, or by a different request."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    """What identifies a request: the same key with another fingerprint is a client error."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds

    async def reserve(self, key: str, request_fingerprint: str) -> StoredResponse | None:
        """None when this request may run; the stored response when it already ran."""
        name = KEY_PREFIX + key
        reservation = json.dumps({"fingerprint": request_fingerprint})
        if await self.redis.set(name, reservation, nx=True, ex=RESERVATION_SECONDS):
            return None
        stored = await self.redis.get(name)
        if stored is None:  # expired between SET and GET: the key is free again
            return await self.reserve(key, request_fingerprint)
        entry = json.loads(stored)
        if entry["fingerprint"] != request_fingerprint:
            raise IdempotencyConflict(
                422,
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request.",
            )
        if "status_code" not in entry:
            raise IdempotencyConflict(
                409,
                "A request with this Idempotency-Key is still running; retry in a moment.",
            )
        return StoredResponse(entry["status_code"], entry["body"])

    async def complete(self, key: str, request_fingerprint: str, response: StoredResponse) -> None:
        entry = {
            "fingerprint": request_fingerprint,
            "status_code": response.status_code,
            "body": response.body,
        }
        await self.redis.set(KEY_PREFIX + key, json.dumps(entry), ex=self.ttl_seconds)

    async def release(self, key: str) -> None:
        """Forget a reservation whose request failed unexpectedly, so a retry can run."""
        await self.redis.delete(KEY_PREFIX + key)
