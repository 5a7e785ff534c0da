"""Portfolios, trades and positions in PostgreSQL.

A trade locks its portfolio's row (SELECT ... FOR UPDATE) for the length of one
transaction, so concurrent trades on one portfolio take turns and can never spend the
same cash or sell the same shares twice.
"""

from __future__ import annotations

from decimal import Decimal

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from papertrade.schemas import Portfolio, Position, Trade, TradeCreate
from papertrade.trading import Holding, settle


class PortfolioNotFound(LookupError):
    def __init__(self, portfolio_id: int) -> None:
        super().__init__(f"Portfolio {portfolio_id} does not exist.")
        self.message = str(self)


PORTFOLIO_COLUMNS = "id, name, cash, created_at"


async def create_portfolio(conn: AsyncConnection, name: str, cash: Decimal) -> Portfolio:
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(
        f"INSERT INTO portfolios (name, cash) VALUES (%s, %s) RETURNING {PORTFOLIO_COLUMNS}",
        (name, cash),
    )
    return Portfolio(**await cursor.fetchone())


async def list_portfolios(conn: AsyncConnection) -> list[Portfolio]:
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(f"SELECT {PORTFOLIO_COLUMNS} FROM portfolios ORDER BY id")
    return [Portfolio(**row) for row in await cursor.fetchall()]


async def get_portfolio(
    conn: AsyncConnection, portfolio_id: int, *, lock: bool = False
) -> Portfolio:
    cursor = conn.cursor(row_factory=dict_row)
    locking = " FOR UPDATE" if lock else ""
    await cursor.execute(
        f"SELECT {PORTFOLIO_COLUMNS} FROM portfolios WHERE id = %s{locking}", (portfolio_id,)
    )
    row = await cursor.fetchone()
    if row is None:
        raise PortfolioNotFound(portfolio_id)
    return Portfolio(**row)


async def list_positions(conn: AsyncConnection, portfolio_id: int) -> list[Position]:
    await get_portfolio(conn, portfolio_id)
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(
        "SELECT symbol, quantity, average_price, quantity * average_price AS cost"
        " FROM positions WHERE portfolio_id = %s ORDER BY symbol",
        (portfolio_id,),
    )
    return [Position(**row) for row in await cursor.fetchall()]


async def list_trades(conn: AsyncConnection, portfolio_id: int) -> list[Trade]:
    await get_portfolio(conn, portfolio_id)
    cursor = conn.cursor(row_factory=dict_row)
    await cursor.execute(
        "SELECT id, portfolio_id, symbol, side, quantity, price, amount, executed_at,"
        " cash_after FROM trades WHERE portfolio_id = %s ORDER BY id",
        (portfolio_id,),
    )
    return [Trade(**row) for row in await cursor.fetchall()]


async def place_trade(conn: AsyncConnection, portfolio_id: int, order: TradeCreate) -> Trade:
    """Execute the order in one transaction; raises TradeRefused and leaves nothing changed."""
    async with conn.transaction():
        portfolio = await get_portfolio(conn, portfolio_id, lock=True)
        cursor = await conn.execute(
            "SELECT quantity, average_price FROM positions WHERE portfolio_id = %s AND symbol = %s",
            (portfolio_id, order.symbol),
        )
        quantity, average_price = await cursor.fetchone() or (0, Decimal(0))
        before = Holding(portfolio.cash, quantity, average_price)
        after = settle(before, order.side, order.symbol, order.quantity, order.price)

        await conn.execute(
            "UPDATE portfolios SET cash = %s WHERE id = %s", (after.cash, portfolio_id)
        )
        await store_position(conn, portfolio_id, order.symbol, after)
        cursor = conn.cursor(row_factory=dict_row)
        await cursor.execute(
            "INSERT INTO trades (portfolio_id, symbol, side, quantity, price, amount, cash_after)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " RETURNING id, portfolio_id, symbol, side, quantity, price, amount, executed_at,"
            " cash_after",
            (
                portfolio_id,
                order.symbol,
                order.side,
                order.quantity,
                order.price,
                abs(after.cash - before.cash),
                after.cash,
            ),
        )
        return Trade(**await cursor.fetchone())


async def store_position(
    conn: AsyncConnection, portfolio_id: int, symbol: str, holding: Holding
) -> None:
    if holding.quantity == 0:
        await conn.execute(
            "DELETE FROM positions WHERE portfolio_id = %s AND symbol = %s", (portfolio_id, symbol)
        )
        return
    await conn.execute(
        "INSERT INTO positions (portfolio_id, symbol, quantity, average_price)"
        " VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (portfolio_id, symbol)"
        " DO UPDATE SET quantity = EXCLUDED.quantity, average_price = EXCLUDED.average_price",
        (portfolio_id, symbol, holding.quantity, holding.average_price),
    )
