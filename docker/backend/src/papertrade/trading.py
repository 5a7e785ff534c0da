"""The rules of a trade, apart from storage: what it costs and whether it may happen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from papertrade.limits import MAX_CASH, MAX_POSITION
from papertrade.money import money_text, quantize

Side = Literal["buy", "sell"]


class TradeRefused(Exception):
    """The portfolio cannot afford the trade, does not hold the shares to sell, or would
    hold more cash or shares than a portfolio may (limits.py)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Holding:
    """What a portfolio has before or after a trade in one symbol."""

    cash: Decimal
    quantity: int
    average_price: Decimal


def settle(holding: Holding, side: Side, symbol: str, quantity: int, price: Decimal) -> Holding:
    """The holding after the trade, or TradeRefused when cash or shares do not suffice or
    the result would pass a limit."""
    amount = quantize(price * quantity)
    if side == "buy":
        if amount > holding.cash:
            raise TradeRefused(
                "insufficient_cash",
                f"Not enough cash: buying {quantity} {symbol} at {money_text(price)} costs "
                f"{money_text(amount)}, the portfolio has {money_text(holding.cash)}.",
            )
        held = holding.quantity + quantity
        if held > MAX_POSITION:
            raise TradeRefused(
                "position_limit_exceeded",
                f"Position too large: buying {quantity} {symbol} would hold {held}; a portfolio "
                f"holds at most {MAX_POSITION} shares of one symbol.",
            )
        average = quantize((holding.average_price * holding.quantity + price * quantity) / held)
        return Holding(holding.cash - amount, held, average)
    if quantity > holding.quantity:
        raise TradeRefused(
            "insufficient_shares",
            f"Not enough shares: selling {quantity} {symbol}, the portfolio holds "
            f"{holding.quantity}.",
        )
    cash = holding.cash + amount
    if cash > MAX_CASH:
        raise TradeRefused(
            "cash_limit_exceeded",
            f"Cash limit: selling {quantity} {symbol} at {money_text(price)} would bring the "
            f"cash to {money_text(cash)}; a portfolio holds at most {money_text(MAX_CASH)}.",
        )
    held = holding.quantity - quantity
    return Holding(cash, held, holding.average_price if held else Decimal(0))
