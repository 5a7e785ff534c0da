"""Bad input never gets a 500 from the production image: a seeded Hypothesis property test
sends the API arbitrary JSON bodies, names (control characters, unpaired surrogates,
over-long), amounts (beyond every bound, NaN, huge exponents, floats, strings), ids beyond
bigint, and Idempotency-Keys, and every answer is a success or a 4xx with a JSON error.
Afterwards the ledger is within its bounds and the backend logged no server error."""

from __future__ import annotations

import json
import string
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from test_backend_image import Stack, started

pytestmark = pytest.mark.container

SERVICES = ("db", "cache", "backend-prod")
# Fixed, so a failure found once is found again on every run and machine.
SEED = 20261130
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,  # nothing written into the checkout; the seed is the reproduction
    suppress_health_check=[HealthCheck.too_slow],
)
# The API's bounds (docker/backend/src/papertrade/limits.py), as a client sees them.
MAX_CASH = Decimal("1000000000000000")
MAX_PRICE = "1000000"
MAX_QUANTITY = 1_000_000_000
EXPECTED = {200, 201, 400, 404, 409, 422}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started(tmp_path_factory.mktemp("api-inputs"), *SERVICES, prefix="api-inputs") as s:
        yield s


@pytest.fixture(scope="module")
def base(stack: Stack) -> str:
    return stack.url("/api/portfolios")


@pytest.fixture(scope="module")
def holding(base: str) -> int:
    """A portfolio at the cash limit holding the most shares one trade can buy, so that
    buys and sells in the examples reach the limits, not only the validation."""
    status, portfolio = send("POST", base, {"name": "Limits", "cash": str(MAX_CASH)})
    assert status == 201, portfolio
    order = {"symbol": "ACME", "side": "buy", "quantity": MAX_QUANTITY, "price": "0.0001"}
    status, bought = send("POST", f"{base}/{portfolio['id']}/trades", order)
    assert status == 201, bought
    return portfolio["id"]


def send(
    method: str, url: str, body: Any = None, key: str | None = None, raw: bytes | None = None
) -> tuple[int, Any]:
    """Status and body (JSON when it parses); status 0 means no answer at all."""
    data = raw if raw is not None else None if method == "GET" else json.dumps(body).encode()
    request = urllib.request.Request(url, data, method=method)
    request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, None
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def assert_answered_safely(status: int, body: Any) -> None:
    assert status != 0, "no answer: the backend died or hung"
    assert status < 500, f"{status}: {body!r}"
    assert status in EXPECTED, f"{status}: {body!r}"
    if status >= 400:
        assert isinstance(body, dict) and isinstance(body.get("detail"), str | list), body


def junk() -> st.SearchStrategy[Any]:
    """Any JSON value: what a broken or hostile client sends instead of the right type."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=5,
    )


AMOUNT_EDGES = [
    "0", "-0", "-1", "0.0001", "0.00001", "1", MAX_PRICE, "1000000.0001", "999999999999.9999",
    str(MAX_CASH), "1000000000000000.0001", "1e16", "9999999999999999.9999", "1E+999999999",
    "1e-999999999", "NaN", "sNaN", "Infinity", "-Infinity", "", " 1 ", "1,5", "0x10", "١٢",
]  # fmt: skip
amounts = st.one_of(
    st.sampled_from(AMOUNT_EDGES),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=0, max_value=10**17, places=4).map(str),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    junk(),
)
quantities = st.one_of(
    st.sampled_from([0, 1, MAX_QUANTITY, MAX_QUANTITY + 1, 2**63 - 1, 2**63, -(2**63)]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1, max_value=MAX_QUANTITY),
    st.floats(),
    junk(),
)
NAME_EDGES = ["", " ", "\x00", "Main\x00", "\ud800", "\u2028", "n" * 100, "n" * 101, "\t\n"]
names = st.one_of(
    st.sampled_from(NAME_EDGES),
    st.text(max_size=120),
    st.text(st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp", "Zs", "Lo"]), max_size=110),
    junk(),
)
symbols = st.one_of(
    st.from_regex(r"[A-Za-z0-9.\-]{1,12}", fullmatch=True),
    st.sampled_from(["ACME", "acme", " ACME ", "A" * 13, "", "AC ME", "ACME\x00"]),
    junk(),
)
sides = st.sampled_from(["buy", "sell"]) | junk()
# A few fixed keys, so examples replay and reuse each other's keys, and any others.
keys = st.one_of(
    st.none(),
    st.sampled_from(["key-1", "key-2", "key-3"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300),
    st.text(st.characters(min_codepoint=0xA0, max_codepoint=0xFF), min_size=1, max_size=10),
)
portfolio_bodies = st.one_of(
    st.fixed_dictionaries({"name": names, "cash": amounts}),
    st.fixed_dictionaries({}, optional={"name": names, "cash": amounts, "extra": junk()}),
    junk(),
)
trade_bodies = st.one_of(
    st.fixed_dictionaries(
        {"symbol": symbols, "side": sides, "quantity": quantities, "price": amounts}
    ),
    st.fixed_dictionaries(
        {"symbol": st.just("ACME"), "side": sides, "quantity": quantities, "price": amounts}
    ),
    st.fixed_dictionaries(
        {}, optional={"symbol": symbols, "side": sides, "quantity": quantities, "price": amounts}
    ),
    junk(),
)
# Well-formed orders on the portfolio at the limits, with quantities and prices around
# and beyond their bounds: these reach the arithmetic, where the overflows were.
orders_at_the_limits = st.fixed_dictionaries(
    {
        "symbol": st.sampled_from(["ACME", "acme", "OTHER"]),
        "side": st.sampled_from(["buy", "sell"]),
        "quantity": st.integers(min_value=1, max_value=2 * MAX_QUANTITY)
        | st.sampled_from([1, MAX_QUANTITY, MAX_QUANTITY + 1]),
        "price": st.decimals(min_value=Decimal("0.0001"), max_value=10**13, places=4).map(str)
        | st.sampled_from(AMOUNT_EDGES),
    }
)
ids = st.one_of(
    st.none(),  # the portfolio at the limits
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63 - 1, 2**63, "9" * 5000]),  # too long for Python's int()
    st.text(string.ascii_letters + string.digits + "-.", min_size=1, max_size=10),
)


def portfolio_url(base: str, holding: int, portfolio_id: Any) -> str:
    return f"{base}/{holding if portfolio_id is None else portfolio_id}"


@seed(SEED)
@PROPERTY
@given(body=portfolio_bodies, key=keys)
def test_creating_a_portfolio_never_answers_500(base, body, key):
    assert_answered_safely(*send("POST", base, body, key))


@seed(SEED)
@PROPERTY
@given(
    raw=st.binary(max_size=64) | st.text(max_size=64).map(lambda t: t.encode("utf-8", "replace"))
)
def test_a_body_that_is_not_json_never_answers_500(base, raw):
    assert_answered_safely(*send("POST", base, raw=raw))


@seed(SEED)
@settings(PROPERTY, max_examples=500)
@given(portfolio_id=ids, body=trade_bodies, key=keys)
def test_placing_a_trade_never_answers_500(base, holding, portfolio_id, body, key):
    url = portfolio_url(base, holding, portfolio_id) + "/trades"
    assert_answered_safely(*send("POST", url, body, key))


@seed(SEED)
@PROPERTY
@given(order=orders_at_the_limits, key=keys)
def test_trading_at_the_limits_never_answers_500(base, holding, order, key):
    assert_answered_safely(*send("POST", f"{base}/{holding}/trades", order, key))


@seed(SEED)
@PROPERTY
@given(portfolio_id=ids, suffix=st.sampled_from(["", "/trades", "/positions"]))
def test_reading_never_answers_500(base, holding, portfolio_id, suffix):
    assert_answered_safely(*send("GET", portfolio_url(base, holding, portfolio_id) + suffix))


def test_afterwards_the_ledger_is_within_its_bounds_and_no_request_failed(stack, base):
    status, portfolios = send("GET", base)
    assert status == 200
    for portfolio in portfolios:
        assert Decimal(0) <= Decimal(portfolio["cash"]) <= MAX_CASH, portfolio
    assert send("GET", stack.url("/health")) == (200, {"status": "healthy"})
    logs = stack("logs", "--no-color", "backend-prod")
    output = logs.stdout + logs.stderr
    assert "Traceback" not in output
    assert '" 500' not in output
