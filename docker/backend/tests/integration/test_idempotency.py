import asyncio
import uuid
from contextlib import asynccontextmanager

import httpx
import psycopg
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from papertrade import idempotency
from papertrade.app import create_app
from papertrade.reply_cache import KEY_PREFIX
from papertrade.settings import Settings

from .test_api import new_portfolio, trade

pytestmark = [pytest.mark.services, pytest.mark.anyio]

# Port 1 on loopback: nothing listens there, so the connection is refused.
NO_REDIS = "redis://127.0.0.1:1/0"


def fresh_key() -> str:
    return f"test-{uuid.uuid4()}"


async def trade_count(client, portfolio) -> int:
    return len((await client.get(f"/api/portfolios/{portfolio['id']}/trades")).json())


def recorded_key(database_url: str, key: str) -> tuple | None:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT status_code, body, expires_at - created_at FROM idempotency_keys"
            " WHERE idempotency_key = %s",
            (key,),
        ).fetchone()


@asynccontextmanager
async def app_client(settings: Settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://papertrade") as client:
            yield app, client


async def forget_cached(redis_url: str, key: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(KEY_PREFIX + key)
    finally:
        await redis.aclose()


async def test_the_same_key_replays_the_first_response_without_a_second_trade(client):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    first = await trade(client, portfolio, "buy", 2, "50", **{"Idempotency-Key": key})
    again = await trade(client, portfolio, "buy", 2, "50", **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await trade_count(client, portfolio) == 1
    assert (await client.get(f"/api/portfolios/{portfolio['id']}")).json()["cash"] == "9900.00"


async def test_the_key_is_recorded_in_postgresql_with_the_response(client, database_url):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    first = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
    status_code, body, _ = recorded_key(database_url, key)
    assert (status_code, body) == (201, first.json())


async def test_without_a_key_each_request_is_a_new_trade(client):
    portfolio = await new_portfolio(client)
    await trade(client, portfolio, "buy", 1, "1")
    await trade(client, portfolio, "buy", 1, "1")
    assert await trade_count(client, portfolio) == 2


async def test_a_refusal_is_replayed_too(client, redis_url):
    portfolio = await new_portfolio(client, cash="10")
    key = fresh_key()
    first = await trade(client, portfolio, "buy", 1, "11", **{"Idempotency-Key": key})
    # Even once the cash would suffice, the key still answers what it answered.
    await client.post(
        f"/api/portfolios/{portfolio['id']}/trades",
        json={"symbol": "X", "side": "buy", "quantity": 1, "price": "1"},
    )
    again = await trade(client, portfolio, "buy", 1, "11", **{"Idempotency-Key": key})
    await forget_cached(redis_url, key)
    from_postgresql = await trade(client, portfolio, "buy", 1, "11", **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == from_postgresql.status_code == 409
    assert again.json() == first.json() == from_postgresql.json()


async def test_reusing_a_key_for_another_request_is_refused(client, redis_url):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
    other = await trade(client, portfolio, "buy", 5, "10", **{"Idempotency-Key": key})
    await forget_cached(redis_url, key)
    other_again = await trade(client, portfolio, "buy", 5, "10", **{"Idempotency-Key": key})
    for refused in (other, other_again):
        assert refused.status_code == 422
        assert refused.json()["code"] == "idempotency_key_reused"
    assert await trade_count(client, portfolio) == 1


async def test_concurrent_requests_with_one_key_make_one_trade_and_agree(client):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    results = await asyncio.gather(
        *(trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key}) for _ in range(4))
    )
    # The others wait on the key's row for the first transaction, then replay its response.
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.text for r in results}) == 1
    assert await trade_count(client, portfolio) == 1


async def test_a_request_waiting_too_long_for_its_key_is_told_to_retry(
    client, database_url, monkeypatch
):
    monkeypatch.setattr(idempotency, "CLAIM_WAIT", "200ms")
    portfolio = await new_portfolio(client)
    key = fresh_key()
    with psycopg.connect(database_url) as holder:  # a first request, still running
        holder.execute(
            "INSERT INTO idempotency_keys (idempotency_key, fingerprint, expires_at)"
            " VALUES (%s, 'another', now() + interval '1 minute')",
            (key,),
        )
        waiting = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        holder.rollback()
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "request_in_progress"
    retried = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
    assert retried.status_code == 201
    assert await trade_count(client, portfolio) == 1


async def test_portfolio_creation_honours_the_key_too(client):
    key = fresh_key()
    body = {"name": "Once", "cash": "1"}
    first = await client.post("/api/portfolios", json=body, headers={"Idempotency-Key": key})
    again = await client.post("/api/portfolios", json=body, headers={"Idempotency-Key": key})
    assert again.json() == first.json()


async def test_the_key_and_its_cached_copy_expire_after_the_configured_ttl(
    client, settings, database_url
):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    await trade(client, portfolio, "buy", 1, "1", **{"Idempotency-Key": key})
    redis = Redis.from_url(settings.redis_url)
    try:
        ttl = await redis.ttl(KEY_PREFIX + key)
    finally:
        await redis.aclose()
    assert settings.idempotency_ttl_seconds - 5 <= ttl <= settings.idempotency_ttl_seconds
    lifetime = recorded_key(database_url, key)[2]
    assert lifetime.total_seconds() == settings.idempotency_ttl_seconds


async def test_an_expired_key_is_free_again(client, redis_url, database_url):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    await trade(client, portfolio, "buy", 1, "1", **{"Idempotency-Key": key})
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"
            " WHERE idempotency_key = %s",
            (key,),
        )
    await forget_cached(redis_url, key)  # Redis expires its copy by then too
    again = await trade(client, portfolio, "buy", 1, "1", **{"Idempotency-Key": key})
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert await trade_count(client, portfolio) == 2


async def test_a_cache_that_lost_the_key_replays_from_postgresql(client, redis_url):
    # Redis keeps nothing on disk and evicts when full: a lost entry must not double a trade.
    portfolio = await new_portfolio(client)
    key = fresh_key()
    first = await trade(client, portfolio, "buy", 3, "7", **{"Idempotency-Key": key})
    await forget_cached(redis_url, key)
    again = await trade(client, portfolio, "buy", 3, "7", **{"Idempotency-Key": key})
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await trade_count(client, portfolio) == 1


async def test_without_redis_a_retry_still_replays_the_first_trade(database_url):
    settings = Settings(database_url=database_url, redis_url=NO_REDIS)
    async with app_client(settings) as (_, client):
        portfolio = await new_portfolio(client)
        key = fresh_key()
        first = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        again = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        assert first.status_code == 201, first.text
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.headers["Idempotent-Replayed"] == "true"
        assert await trade_count(client, portfolio) == 1


async def test_redis_failing_between_the_trade_and_the_reply_changes_nothing(settings):
    async with app_client(settings) as (app, client):
        portfolio = await new_portfolio(client)
        key = fresh_key()

        async def redis_gone(*args, **kwargs):
            raise RedisConnectionError("Connection closed by server.")

        app.state.cache.set = redis_gone  # the trade commits, then the cache write fails
        first = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        del app.state.cache.set
        again = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        assert first.status_code == 201, first.text
        assert (again.status_code, again.json()) == (201, first.json())
        assert await trade_count(client, portfolio) == 1


async def test_a_failure_after_the_trade_rolls_back_the_trade_and_its_key(settings, monkeypatch):
    from papertrade import ledger

    place_trade = ledger.place_trade

    async def crash_after_the_trade(conn, portfolio_id, order):
        await place_trade(conn, portfolio_id, order)
        raise RuntimeError("the process died before the commit")

    async with app_client(settings) as (_, client):
        portfolio = await new_portfolio(client)
        key = fresh_key()
        monkeypatch.setattr(ledger, "place_trade", crash_after_the_trade)
        crashed = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        monkeypatch.setattr(ledger, "place_trade", place_trade)
        assert crashed.status_code == 500
        assert await trade_count(client, portfolio) == 0
        retried = await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers
        assert await trade_count(client, portfolio) == 1
