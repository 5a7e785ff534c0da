"""The FastAPI application: start-up (migrations, pools), /health, the API, error bodies."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from papertrade import api, health, migrate
from papertrade.health import first_line
from papertrade.ledger import PortfolioNotFound
from papertrade.reply_cache import ReplyCache
from papertrade.schemas import Health
from papertrade.settings import Settings, load_settings

log = logging.getLogger("papertrade")

# How long start-up waits for PostgreSQL (it may still be starting) before giving up.
DATABASE_WAIT_SECONDS = 30
# Timestamps leave the API in UTC whatever the server's zone (and need no zoneinfo files).
SESSION_OPTIONS = {"options": "-c TimeZone=UTC"}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    await migrate.upgrade(
        settings.database_url,
        wait_seconds=DATABASE_WAIT_SECONDS,
        password=settings.database_password,
    )
    pool = psycopg_pool.AsyncConnectionPool(
        settings.database_url,
        min_size=1,
        max_size=10,
        open=False,
        kwargs=connection_options(settings),
        # A connection broken by a database restart is replaced, not handed out.
        check=psycopg_pool.AsyncConnectionPool.check_connection,
    )
    await pool.open()
    cache = Redis.from_url(
        settings.redis_url,
        # A password in the URL takes precedence; the settings allow only one of the two.
        password=settings.redis_password,
        decode_responses=True,
        socket_connect_timeout=health.TIMEOUT_SECONDS,
        socket_timeout=health.TIMEOUT_SECONDS,
    )
    app.state.pool = pool
    app.state.cache = cache
    app.state.replies = ReplyCache(cache)
    try:
        yield
    finally:
        await pool.close()
        await cache.aclose()


def connection_options(settings: Settings) -> dict[str, str]:
    """What each pooled connection is opened with besides the URL."""
    if settings.database_password is None:
        return dict(SESSION_OPTIONS)
    return {**SESSION_OPTIONS, "password": settings.database_password}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    app = FastAPI(title="PaperTrade", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key"],
        )
    app.include_router(api.router)
    app.add_api_route(
        "/health",
        health_endpoint,
        methods=["GET"],
        response_model=Health,
        response_model_exclude_none=True,
    )
    add_error_handlers(app)
    return app


async def health_endpoint(request: Request) -> JSONResponse:
    """200 {"status":"healthy"}, or 503 with "ok" or "failing" per dependency: public, so
    no error text; health.py logs what failed."""
    checks = await health.check_all(request.app.state.pool, request.app.state.cache)
    if all(result == health.OK for result in checks.values()):
        return JSONResponse({"status": "healthy"})
    return JSONResponse({"status": "unhealthy", "checks": checks}, status_code=503)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
            for detail in error.errors()
        ]
        return JSONResponse(
            {"detail": "; ".join(problems), "code": "invalid_request"}, status_code=422
        )

    @app.exception_handler(PortfolioNotFound)
    async def not_found(request: Request, error: PortfolioNotFound) -> JSONResponse:
        return JSONResponse({"detail": error.message, "code": "portfolio_not_found"}, 404)

    @app.exception_handler(psycopg.DataError)
    async def unstorable_value(request: Request, error: psycopg.DataError) -> JSONResponse:
        # The last line behind the request bodies' bounds (limits.py): a value PostgreSQL
        # cannot store (out of a column's range, a NUL byte) is the client's error. The
        # transaction has rolled back, so nothing was stored and no key was recorded.
        reason = first_line(error).rstrip(".")
        log.warning("refused a value the database cannot store: %s", reason)
        return JSONResponse(
            {
                "detail": f"A value in the request cannot be stored: {reason}.",
                "code": "invalid_request",
            },
            422,
        )

    @app.exception_handler(psycopg.OperationalError)
    async def database_down(request: Request, error: Exception) -> JSONResponse:
        # PoolTimeout is an OperationalError too. Redis has no handler: the app never lets
        # a cache failure reach a request (reply_cache.py).
        log.error("database unavailable: %s", first_line(error))
        return JSONResponse(
            {"detail": "The database is unavailable; try again shortly.", "code": "unavailable"},
            503,
        )


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(levelname)s:  %(name)s: %(message)s")
    log.setLevel(level.upper())
