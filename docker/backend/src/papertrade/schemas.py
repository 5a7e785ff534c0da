"""The API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from papertrade.limits import MAX_CASH, MAX_NAME_LENGTH, MAX_PRICE, MAX_QUANTITY
from papertrade.money import money_text
from papertrade.text import printable
from papertrade.trading import Side

# Money leaves the API as a string, so no client rounds it through a float.
Money = Annotated[Decimal, PlainSerializer(money_text, return_type=str, when_used="json")]
# Four decimal places, as the NUMERIC(20, 4) columns; each field names its own upper bound
# (limits.py), so an out-of-range value is refused with the bound, never overflows.
Amount = Annotated[Decimal, Field(decimal_places=4)]
Symbol = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9.\-]{1,12}$"),
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PortfolioCreate(Request):
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH),
        AfterValidator(printable),
    ]
    cash: Annotated[Amount, Field(ge=0, le=MAX_CASH, description='Starting cash, e.g. "10000.00"')]


class TradeCreate(Request):
    symbol: Symbol
    side: Side
    quantity: Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
    price: Annotated[Amount, Field(gt=0, le=MAX_PRICE)]


class Portfolio(BaseModel):
    id: int
    name: str
    cash: Money
    created_at: datetime


class Trade(BaseModel):
    id: int
    portfolio_id: int
    symbol: str
    side: Side
    quantity: int
    price: Money
    amount: Money
    executed_at: datetime
    cash_after: Money


class Position(BaseModel):
    symbol: str
    quantity: int
    average_price: Money
    cost: Money


class Health(BaseModel):
    status: str
    checks: dict[str, str] | None = None
