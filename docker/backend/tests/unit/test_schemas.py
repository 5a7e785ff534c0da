from decimal import Decimal

import pytest
from pydantic import ValidationError

from papertrade.limits import MAX_CASH, MAX_NAME_LENGTH, MAX_PRICE, MAX_QUANTITY
from papertrade.schemas import PortfolioCreate, Position, TradeCreate


def test_symbol_is_normalised_to_upper_case():
    order = TradeCreate(symbol=" acme ", side="buy", quantity=1, price="9.5")
    assert order.symbol == "ACME"
    assert order.price == Decimal("9.5")


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", 0), ("price", "0"), ("price", "1.00001"), ("side", "short"), ("symbol", "A B")],
)
def test_impossible_orders_are_rejected(field, value):
    order = {"symbol": "ACME", "side": "buy", "quantity": 1, "price": "1", field: value}
    with pytest.raises(ValidationError):
        TradeCreate(**order)


def test_unknown_fields_are_rejected_rather_than_ignored():
    with pytest.raises(ValidationError, match="balance"):
        PortfolioCreate(name="Main", cash="10", balance="10")


def test_money_is_a_string_in_json():
    position = Position(
        symbol="ACME", quantity=3, average_price=Decimal("10.5000"), cost=Decimal("31.5")
    )
    assert position.model_dump(mode="json") == {
        "symbol": "ACME",
        "quantity": 3,
        "average_price": "10.50",
        "cost": "31.50",
    }


@pytest.mark.parametrize("name", ["Main\x00", "a\x1bb", "\x7f", "tab\there", "two\u2028lines"])
def test_a_name_with_control_characters_is_refused_naming_the_character(name):
    with pytest.raises(ValidationError, match=r"must not contain control characters; found U\+"):
        PortfolioCreate(name=name, cash="1")


def test_a_name_is_at_most_100_characters():
    assert PortfolioCreate(name="n" * MAX_NAME_LENGTH, cash="1").name == "n" * 100
    with pytest.raises(ValidationError, match="at most 100 characters"):
        PortfolioCreate(name="n" * (MAX_NAME_LENGTH + 1), cash="1")


@pytest.mark.parametrize(
    ("model", "fields", "bound"),
    [
        (PortfolioCreate, {"name": "Main", "cash": "1000000000000000.0001"}, "1000000000000000"),
        (PortfolioCreate, {"name": "Main", "cash": "1e20"}, "1000000000000000"),
        (TradeCreate, {"price": "1000000.0001"}, "1000000"),
        (TradeCreate, {"price": "999999999999.9999"}, "1000000"),
        (TradeCreate, {"quantity": 1_000_000_001}, "1000000000"),
    ],
)
def test_amounts_beyond_their_bound_are_refused_naming_the_bound(model, fields, bound):
    order = {"symbol": "ACME", "side": "sell", "quantity": 1, "price": "1"}
    values = fields if model is PortfolioCreate else order | fields
    with pytest.raises(ValidationError) as refused:
        model(**values)
    [problem] = refused.value.errors()
    assert problem["msg"] == f"Input should be less than or equal to {bound}"


def test_the_bounds_themselves_are_accepted():
    assert PortfolioCreate(name="Rich", cash=str(MAX_CASH)).cash == MAX_CASH
    order = TradeCreate(symbol="A", side="buy", quantity=MAX_QUANTITY, price=str(MAX_PRICE))
    assert (order.quantity, order.price) == (MAX_QUANTITY, MAX_PRICE)


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e999999999"])
def test_non_finite_or_huge_prices_are_refused(price):
    with pytest.raises(ValidationError):
        TradeCreate(symbol="A", side="buy", quantity=1, price=price)
