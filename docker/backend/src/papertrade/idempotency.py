"""Idempotency keys in PostgreSQL: a request repeated with the same Idempotency-Key header
gets the first response again instead of running twice (a retried trade is not a second
trade).

The key is recorded in the same transaction as the work it answers for: `claim` inserts
the key's row before the work, `record` writes the response into it, and both commit with
the trade or roll back with it. So no failure between the trade and the reply can lose the
key while keeping the trade: a retry finds the first response, or no row because nothing
was committed. A concurrent request with the same key waits on the row's primary key for
the first transaction to end, then replays its response. Redis (reply_cache.py) is only a
cache in front of this table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.types.json import Json

# How long a request waits for another one holding the same key before it is told to
# retry: far longer than a trade takes.
CLAIM_WAIT = "5s"
# Expired keys removed per claim: more than one, so the table cannot grow without bound.
SWEEP_BATCH = 100


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


@dataclass(frozen=True)
class Recorded:
    """A finished response under its key, and how long the key still holds it."""

    fingerprint: str
    response: StoredResponse
    seconds_left: int


def fingerprint(method: str, path: str, body: Any) -> str:
    """What identifies a request: the same key with another fingerprint is a client error."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_fingerprint(recorded: Recorded, request_fingerprint: str) -> None:
    if recorded.fingerprint != request_fingerprint:
        raise IdempotencyConflict(
            422,
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request.",
        )


async def claim(
    conn: AsyncConnection, key: str, request_fingerprint: str, ttl_seconds: int
) -> Recorded | None:
    """Inside the request's transaction: None when this request is to run (its key is now
    held until the transaction ends), the first response when the key already has one."""
    await conn.execute("SELECT set_config('lock_timeout', %s, true)", (CLAIM_WAIT,))
    try:
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE idempotency_key = %s AND expires_at <= now()",
            (key,),
        )
        cursor = await conn.execute(
            "INSERT INTO idempotency_keys (idempotency_key, fingerprint, expires_at)"
            " VALUES (%s, %s, now() + make_interval(secs => %s))"
            " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
            (key, request_fingerprint, ttl_seconds),
        )
        claimed = await cursor.fetchone() is not None
    except psycopg.errors.LockNotAvailable:
        raise IdempotencyConflict(
            409, "A request with this Idempotency-Key is still running; retry in a moment."
        ) from None
    await conn.execute("SET LOCAL lock_timeout TO DEFAULT")
    await sweep_expired(conn)
    if claimed:
        return None
    recorded = await lookup(conn, key)
    check_fingerprint(recorded, request_fingerprint)
    return recorded


async def lookup(conn: AsyncConnection, key: str) -> Recorded:
    cursor = await conn.execute(
        "SELECT fingerprint, status_code, body,"
        " greatest(ceil(extract(epoch FROM expires_at - now())), 1)::integer"
        " FROM idempotency_keys WHERE idempotency_key = %s",
        (key,),
    )
    request_fingerprint, status_code, body, seconds_left = await cursor.fetchone()
    return Recorded(request_fingerprint, StoredResponse(status_code, body), seconds_left)


async def record(conn: AsyncConnection, key: str, response: StoredResponse) -> None:
    """Inside the same transaction as `claim` and the work: the response the key replays."""
    await conn.execute(
        "UPDATE idempotency_keys SET status_code = %s, body = %s WHERE idempotency_key = %s",
        (response.status_code, Json(response.body), key),
    )


async def sweep_expired(conn: AsyncConnection) -> None:
    """Remove a batch of expired keys; rows another request holds are skipped, not awaited."""
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE idempotency_key IN ("
        " SELECT idempotency_key FROM idempotency_keys WHERE expires_at <= now()"
        " ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED)",
        (SWEEP_BATCH,),
    )
