"""The HTTP endpoints under /api."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from papertrade import idempotency, ledger
from papertrade.idempotency import (
    IdempotencyConflict,
    Recorded,
    StoredResponse,
    check_fingerprint,
    fingerprint,
)
from papertrade.ledger import PortfolioNotFound
from papertrade.reply_cache import ReplyCache
from papertrade.schemas import Portfolio, PortfolioCreate, Position, Trade, TradeCreate
from papertrade.trading import TradeRefused

router = APIRouter(prefix="/api")

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        description="Send the same key again to get the first response back, not a new trade.",
    ),
]

Action = Callable[[AsyncConnection], Awaitable[BaseModel]]


def pool(request: Request) -> AsyncConnectionPool:
    return request.app.state.pool


def reply_cache(request: Request) -> ReplyCache:
    return request.app.state.replies


Pool = Annotated[AsyncConnectionPool, Depends(pool)]
Replies = Annotated[ReplyCache, Depends(reply_cache)]


def refusal(status_code: int, message: str, code: str) -> StoredResponse:
    return StoredResponse(status_code, {"detail": message, "code": code})


async def outcome(action: Action, conn: AsyncConnection) -> StoredResponse:
    """The action's response, or the refusal it raised; a refusal leaves nothing changed."""
    try:
        async with conn.transaction():  # a savepoint when inside the key's transaction
            return StoredResponse(201, (await action(conn)).model_dump(mode="json"))
    except TradeRefused as refused:
        return refusal(409, refused.message, refused.code)
    except PortfolioNotFound as missing:
        return refusal(404, missing.message, "portfolio_not_found")


async def respond(
    action: Action,
    *,
    request: Request,
    body: BaseModel,
    key: str | None,
    db: AsyncConnectionPool,
    replies: ReplyCache,
) -> JSONResponse:
    """Run the action once per Idempotency-Key; a repeated key replays the first response.

    The key is recorded in PostgreSQL in the action's own transaction (idempotency.py);
    Redis only caches the finished response in front of it (reply_cache.py).
    """
    if key is None:
        async with db.connection() as conn:
            return as_response(await outcome(action, conn))
    request_fingerprint = fingerprint(
        request.method, request.url.path, body.model_dump(mode="json")
    )
    ttl_seconds = request.app.state.settings.idempotency_ttl_seconds
    try:
        cached = await replies.get(key)
        if cached is not None:
            check_fingerprint(cached, request_fingerprint)
            return as_response(cached.response, replayed=True)
        async with db.connection() as conn, conn.transaction():
            first = await idempotency.claim(conn, key, request_fingerprint, ttl_seconds)
            if first is None:
                response = await outcome(action, conn)
                await idempotency.record(conn, key, response)
    except IdempotencyConflict as conflict:
        code = "idempotency_key_reused" if conflict.status_code == 422 else "request_in_progress"
        return as_response(refusal(conflict.status_code, conflict.message, code))
    # Committed: from here on, nothing can undo the trade or lose its key.
    if first is not None:
        await replies.put(key, first)
        return as_response(first.response, replayed=True)
    await replies.put(key, Recorded(request_fingerprint, response, ttl_seconds))
    return as_response(response)


def as_response(stored: StoredResponse, *, replayed: bool = False) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get("/portfolios", response_model=list[Portfolio])
async def list_portfolios(db: Pool) -> list[Portfolio]:
    async with db.connection() as conn:
        return await ledger.list_portfolios(conn)


@router.post("/portfolios", status_code=201, response_model=Portfolio)
async def create_portfolio(
    body: PortfolioCreate,
    request: Request,
    db: Pool,
    replies: Replies,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create(conn: AsyncConnection) -> Portfolio:
        return await ledger.create_portfolio(conn, body.name, body.cash)

    return await respond(
        create, request=request, body=body, key=idempotency_key, db=db, replies=replies
    )


@router.get("/portfolios/{portfolio_id}", response_model=Portfolio)
async def get_portfolio(portfolio_id: int, db: Pool) -> Portfolio:
    async with db.connection() as conn:
        return await ledger.get_portfolio(conn, portfolio_id)


@router.get("/portfolios/{portfolio_id}/trades", response_model=list[Trade])
async def list_trades(portfolio_id: int, db: Pool) -> list[Trade]:
    async with db.connection() as conn:
        return await ledger.list_trades(conn, portfolio_id)


@router.post(
    "/portfolios/{portfolio_id}/trades",
    status_code=201,
    response_model=Trade,
    responses={404: {"description": "No such portfolio"}, 409: {"description": "Refused"}},
)
async def place_trade(
    portfolio_id: int,
    body: TradeCreate,
    request: Request,
    db: Pool,
    replies: Replies,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def trade(conn: AsyncConnection) -> Trade:
        return await ledger.place_trade(conn, portfolio_id, body)

    return await respond(
        trade, request=request, body=body, key=idempotency_key, db=db, replies=replies
    )


@router.get("/portfolios/{portfolio_id}/positions", response_model=list[Position])
async def list_positions(portfolio_id: int, db: Pool) -> list[Position]:
    async with db.connection() as conn:
        return await ledger.list_positions(conn, portfolio_id)
