"""The bounds keep every number a trade stores inside its column."""

from decimal import Decimal

from papertrade.limits import (
    COLUMN_LIMIT,
    MAX_CASH,
    MAX_POSITION,
    MAX_PRICE,
    MAX_QUANTITY,
)
from papertrade.money import quantize

BIGINT_LIMIT = 2**63


def test_the_largest_sale_on_the_largest_cash_fits_numeric_20_4():
    largest_amount = quantize(MAX_PRICE * MAX_QUANTITY)
    assert largest_amount < COLUMN_LIMIT
    # A sale is checked against MAX_CASH after the addition: the sum must fit too.
    assert MAX_CASH + largest_amount < COLUMN_LIMIT
    assert quantize(MAX_CASH + largest_amount) == MAX_CASH + largest_amount


def test_numeric_20_4_holds_sixteen_digits_before_the_point():
    assert COLUMN_LIMIT == Decimal("10000000000000000")


def test_share_counts_fit_bigint():
    assert MAX_POSITION + MAX_QUANTITY < BIGINT_LIMIT
