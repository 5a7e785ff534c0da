"""The HTTP endpoints under /api."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from papertrade import ledger
from papertrade.idempotency import (
    IdempotencyConflict,
    IdempotencyStore,
    StoredResponse,
    fingerprint,
)
from papertrade.ledger import PortfolioNotFound
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


def pool(request: Request) -> AsyncConnectionPool:
    return request.app.state.pool


def idempotency(request: Request) -> IdempotencyStore:
    return request.app.state.idempotency


Pool = Annotated[AsyncConnectionPool, Depends(pool)]
Idempotency = Annotated[IdempotencyStore, Depends(idempotency)]


def refusal(status_code: int, message: str, code: str) -> StoredResponse:
    return StoredResponse(status_code, {"detail": message, "code": code})


async def respond(
    action: Callable[[], Awaitable[BaseModel]],
    *,
    request: Request,
    body: BaseModel,
    key: str | None,
    store: IdempotencyStore,
) -> JSONResponse:
    """Run the action once per Idempotency-Key; a repeated key replays the first response."""
    request_fingerprint = fingerprint(
        request.method, request.url.path, body.model_dump(mode="json")
    )
    if key is not None:
        try:
            stored = await store.reserve(key, request_fingerprint)
        except IdempotencyConflict as conflict:
            code = (
                "idempotency_key_reused" if conflict.status_code == 422 else "request_in_progress"
            )
            return as_response(refusal(conflict.status_code, conflict.message, code))
        if stored is not None:
            return as_response(stored, replayed=True)
    try:
        response = StoredResponse(201, (await action()).model_dump(mode="json"))
    except TradeRefused as refused:
        response = refusal(409, refused.message, refused.code)
    except PortfolioNotFound as missing:
        response = refusal(404, missing.message, "portfolio_not_found")
    except BaseException:
        if key is not None:
            await store.release(key)
        raise
    if key is not None:
        await store.complete(key, request_fingerprint, response)
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
    store: Idempotency,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> Portfolio:
        async with db.connection() as conn:
            return await ledger.create_portfolio(conn, body.name, body.cash)

    return await respond(create, request=request, body=body, key=idempotency_key, store=store)


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
    store: Idempotency,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def trade() -> Trade:
        async with db.connection() as conn:
            return await ledger.place_trade(conn, portfolio_id, body)

    return await respond(trade, request=request, body=body, key=idempotency_key, store=store)


@router.get("/portfolios/{portfolio_id}/positions", response_model=list[Position])
async def list_positions(portfolio_id: int, db: Pool) -> list[Position]:
    async with db.connection() as conn:
        return await ledger.list_positions(conn, portfolio_id)
