"""Money is Decimal end to end: NUMERIC in PostgreSQL, strings in JSON."""

from decimal import ROUND_HALF_EVEN, Decimal

# The database's NUMERIC(20, 4): four decimal places.
SCALE = Decimal("0.0001")
CENTS = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(SCALE, rounding=ROUND_HALF_EVEN)


def money_text(amount: Decimal) -> str:
    """Shown with at least two decimals and no trailing zeros beyond them: 1000.00, 12.3456."""
    cents = amount.quantize(CENTS)
    return format(cents if cents == amount else amount.normalize(), "f")
