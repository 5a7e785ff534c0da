import pytest

from papertrade.app import create_app
from papertrade.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.anyio]


async def test_healthy_when_both_services_answer(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


async def test_unhealthy_naming_the_cache_when_redis_does_not_answer(database_url):
    import httpx

    # Port 1 on loopback: nothing listens there, so the connection is refused.
    settings = Settings(database_url=database_url, redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://papertrade") as client:
            response = await client.get("/health")
            trade = await client.post(
                "/api/portfolios", json={"name": "x", "cash": "1"}, headers={"Idempotency-Key": "k"}
            )
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1:1" in body["checks"]["cache"]
    assert trade.status_code == 503
    assert trade.json()["code"] == "unavailable"
