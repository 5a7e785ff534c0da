from decimal import Decimal

import pytest

from papertrade.money import money_text, quantize


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1000.0000", "1000.00"),
        ("0", "0.00"),
        ("12.3456", "12.3456"),
        ("12.3400", "12.34"),
        ("12.3450", "12.345"),
        ("1E+3", "1000.00"),
    ],
)
def test_money_shows_cents_and_no_extra_zeros(amount, text):
    assert money_text(Decimal(amount)) == text


def test_quantize_rounds_half_to_even_at_four_places():
    assert quantize(Decimal("0.00005")) == Decimal("0.0000")
    assert quantize(Decimal("0.00015")) == Decimal("0.0002")
