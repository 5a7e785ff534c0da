from decimal import Decimal

import pytest

from papertrade.limits import MAX_CASH, MAX_POSITION, MAX_PRICE, MAX_QUANTITY
from papertrade.trading import Holding, TradeRefused, settle

EMPTY = Holding(cash=Decimal("1000.00"), quantity=0, average_price=Decimal(0))


def test_buy_spends_cash_and_averages_the_price():
    first = settle(EMPTY, "buy", "ACME", 4, Decimal("100.00"))
    assert first == Holding(Decimal("600.00"), 4, Decimal("100.0000"))
    second = settle(first, "buy", "ACME", 2, Decimal("130.00"))
    assert second == Holding(Decimal("340.00"), 6, Decimal("110.0000"))


def test_buy_of_exactly_the_cash_is_allowed():
    assert settle(EMPTY, "buy", "ACME", 10, Decimal("100")).cash == 0


def test_buy_beyond_the_cash_is_refused_with_the_figures():
    with pytest.raises(TradeRefused) as refused:
        settle(EMPTY, "buy", "ACME", 10, Decimal("100.01"))
    assert refused.value.code == "insufficient_cash"
    assert refused.value.message == (
        "Not enough cash: buying 10 ACME at 100.01 costs 1000.10, the portfolio has 1000.00."
    )


def test_sell_returns_cash_and_keeps_the_average_price():
    held = Holding(Decimal("0"), 5, Decimal("20.0000"))
    after = settle(held, "sell", "ACME", 2, Decimal("25.5"))
    assert after == Holding(Decimal("51.0"), 3, Decimal("20.0000"))


def test_selling_everything_clears_the_position():
    held = Holding(Decimal("0"), 5, Decimal("20.0000"))
    assert settle(held, "sell", "ACME", 5, Decimal("1")) == Holding(Decimal("5"), 0, Decimal(0))


def test_sell_of_more_than_held_is_refused():
    with pytest.raises(TradeRefused) as refused:
        settle(Holding(Decimal(0), 3, Decimal(1)), "sell", "ACME", 4, Decimal("1"))
    assert refused.value.code == "insufficient_shares"
    assert refused.value.message == "Not enough shares: selling 4 ACME, the portfolio holds 3."


def test_a_sale_that_would_pass_the_cash_limit_is_refused_naming_it():
    held = Holding(MAX_CASH - 1, 2, Decimal(1))
    assert settle(held, "sell", "ACME", 1, Decimal(1)).cash == MAX_CASH
    with pytest.raises(TradeRefused) as refused:
        settle(held, "sell", "ACME", 2, Decimal(1))
    assert refused.value.code == "cash_limit_exceeded"
    assert refused.value.message == (
        "Cash limit: selling 2 ACME at 1.00 would bring the cash to 1000000000000001.00; "
        "a portfolio holds at most 1000000000000000.00."
    )


def test_the_largest_sale_on_the_largest_cash_is_refused_not_overflowed():
    held = Holding(MAX_CASH, MAX_QUANTITY, Decimal("0.0001"))
    with pytest.raises(TradeRefused, match="Cash limit"):
        settle(held, "sell", "ACME", MAX_QUANTITY, MAX_PRICE)


def test_a_buy_that_would_pass_the_position_limit_is_refused_naming_it():
    held = Holding(MAX_CASH, MAX_POSITION, Decimal("0.0001"))
    with pytest.raises(TradeRefused) as refused:
        settle(held, "buy", "ACME", 1, Decimal("0.0001"))
    assert refused.value.code == "position_limit_exceeded"
    assert refused.value.message == (
        "Position too large: buying 1 ACME would hold 1000000000000001; a portfolio holds at "
        "most 1000000000000000 shares of one symbol."
    )
