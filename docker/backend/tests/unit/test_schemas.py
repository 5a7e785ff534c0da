from decimal import Decimal

import pytest
from pydantic import ValidationError

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
