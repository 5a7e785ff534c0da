"""Each test session gets its own scratch database on the server DATABASE_URL names, so
the tests never touch the development data; it is dropped at the end."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from psycopg import sql

from papertrade.app import create_app
from papertrade.health import first_line
from papertrade.settings import Settings
from papertrade.urls import redact


def required_environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run these tests in the backend container "
            "(docker compose exec backend pytest), or deselect them with -m 'not services'",
            pytrace=False,
        )
    return value


@pytest.fixture(scope="session")
def server_url() -> str:
    return required_environment("DATABASE_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return required_environment("REDIS_URL")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def make_scratch_database(server_url: str) -> Iterator[str]:
    name = f"papertrade_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        pytest.fail(
            f"cannot reach PostgreSQL at {redact(server_url)} ({first_line(error)}); "
            "start the stack first (docker compose up -d --wait)",
            pytrace=False,
        )
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """One scratch database for the API tests; each test makes its own portfolios."""
    yield from make_scratch_database(server_url)


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """A database of its own for each migration test."""
    yield from make_scratch_database(server_url)


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url, app_env="test")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its start-up (migrations, pools) run, called in process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://papertrade") as client:
            yield client
