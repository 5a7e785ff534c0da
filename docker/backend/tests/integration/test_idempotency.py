import asyncio
import uuid

import pytest

from .test_api import new_portfolio, trade

pytestmark = [pytest.mark.services, pytest.mark.anyio]


def fresh_key() -> str:
    return f"test-{uuid.uuid4()}"


async def trade_count(client, portfolio) -> int:
    return len((await client.get(f"/api/portfolios/{portfolio['id']}/trades")).json())


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


async def test_without_a_key_each_request_is_a_new_trade(client):
    portfolio = await new_portfolio(client)
    await trade(client, portfolio, "buy", 1, "1")
    await trade(client, portfolio, "buy", 1, "1")
    assert await trade_count(client, portfolio) == 2


async def test_a_refusal_is_replayed_too(client):
    portfolio = await new_portfolio(client, cash="10")
    key = fresh_key()
    first = await trade(client, portfolio, "buy", 1, "11", **{"Idempotency-Key": key})
    # Even once the cash would suffice, the key still answers what it answered.
    await client.post(
        f"/api/portfolios/{portfolio['id']}/trades",
        json={"symbol": "X", "side": "buy", "quantity": 1, "price": "1"},
    )
    again = await trade(client, portfolio, "buy", 1, "11", **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


async def test_reusing_a_key_for_another_request_is_refused(client):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    await trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key})
    other = await trade(client, portfolio, "buy", 5, "10", **{"Idempotency-Key": key})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await trade_count(client, portfolio) == 1


async def test_concurrent_requests_with_one_key_make_one_trade(client):
    portfolio = await new_portfolio(client)
    key = fresh_key()
    results = await asyncio.gather(
        *(trade(client, portfolio, "buy", 1, "10", **{"Idempotency-Key": key}) for _ in range(4))
    )
    assert {r.status_code for r in results} <= {201, 409}
    assert await trade_count(client, portfolio) == 1


async def test_portfolio_creation_honours_the_key_too(client):
    key = fresh_key()
    body = {"name": "Once", "cash": "1"}
    first = await client.post("/api/portfolios", json=body, headers={"Idempotency-Key": key})
    again = await client.post("/api/portfolios", json=body, headers={"Idempotency-Key": key})
    assert again.json() == first.json()


async def test_the_stored_response_expires_after_the_configured_ttl(client, settings):
    from redis.asyncio import Redis

    from papertrade.idempotency import KEY_PREFIX

    portfolio = await new_portfolio(client)
    key = fresh_key()
    await trade(client, portfolio, "buy", 1, "1", **{"Idempotency-Key": key})
    redis = Redis.from_url(settings.redis_url)
    try:
        ttl = await redis.ttl(KEY_PREFIX + key)
    finally:
        await redis.aclose()
    assert settings.idempotency_ttl_seconds - 5 <= ttl <= settings.idempotency_ttl_seconds
