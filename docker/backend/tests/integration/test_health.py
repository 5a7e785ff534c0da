import logging
from contextlib import asynccontextmanager

import httpx
import pytest

from papertrade.app import create_app
from papertrade.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.anyio]

# Port 1 on loopback: nothing listens there, so the connection is refused.
NO_REDIS = "redis://127.0.0.1:1/0"


@asynccontextmanager
async def app_client(settings: Settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://papertrade") as client:
            yield app, client


async def test_healthy_when_both_services_answer(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.text == '{"status":"healthy"}'


async def test_unhealthy_names_the_failing_dependency_but_no_error(database_url, caplog):
    settings = Settings(database_url=database_url, redis_url=NO_REDIS)
    with caplog.at_level(logging.WARNING, logger="papertrade"):
        async with app_client(settings) as (_, client):
            response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "checks": {"database": "ok", "cache": "failing"},
    }
    # What failed, with the address, is in the log only.
    logged = [r.getMessage() for r in caplog.records if r.name == "papertrade.health"]
    assert any(m.startswith("health: cache: ") and "127.0.0.1:1" in m for m in logged), logged


async def test_the_database_check_reuses_the_pool(settings):
    async with app_client(settings) as (app, client):
        assert (await client.get("/health")).status_code == 200  # the pool has its connection
        before = app.state.pool.get_stats()
        for _ in range(20):
            assert (await client.get("/health")).status_code == 200
        after = app.state.pool.get_stats()
    # Twenty checks, each served by the pool, and not one new connection among them.
    assert after["requests_num"] - before["requests_num"] == 20
    assert after["connections_num"] == before["connections_num"]


async def test_a_connection_broken_under_the_pool_is_replaced_not_reported(settings):
    import psycopg

    async with app_client(settings) as (app, client):
        assert (await client.get("/health")).status_code == 200
        async with app.state.pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        response = await client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "healthy"})
