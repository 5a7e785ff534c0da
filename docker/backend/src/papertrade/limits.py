"""The largest values the API accepts, chosen so that no arithmetic overflows a column.

Money columns are NUMERIC(20, 4): they hold absolute values below 10**16. A trade's amount
is at most MAX_PRICE * MAX_QUANTITY (10**15), and a portfolio's cash never exceeds
MAX_CASH (10**15), so even cash plus a sale's amount (below 2 * 10**15) fits before the
sale is checked against MAX_CASH. Share counts are bigint (below 2**63); a position is
capped far below that.
"""

from decimal import Decimal

# What NUMERIC(20, 4) holds: 16 digits before the decimal point.
COLUMN_LIMIT = Decimal(10) ** 16
MAX_NAME_LENGTH = 100
MAX_PRICE = Decimal("1000000")
MAX_QUANTITY = 1_000_000_000
MAX_CASH = Decimal("1000000000000000")
MAX_POSITION = 1_000_000_000_000_000
