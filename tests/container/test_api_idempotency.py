"""A retried trade is never a second trade, whatever Redis does: the production image's
Idempotency-Key is recorded in PostgreSQL in the trade's own transaction, and Redis only
caches the reply. Here Redis is stopped while a keyed trade is in flight, after the trade
claimed its key and before it commits and replies; the trade still answers 201, every
retry (Redis gone, then Redis back empty) replays that first trade, and the ledger holds
exactly one trade."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_backend_image import Stack, started

pytestmark = pytest.mark.container

SERVICES = ("db", "cache", "backend-prod")
PSQL = ("exec", "-T", "db", "psql", "-U", "papertrade", "-d", "papertrade", "-v", "ON_ERROR_STOP=1")
ORDER = {"symbol": "ACME", "side": "buy", "quantity": 3, "price": "20.5"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with started(tmp_path_factory.mktemp("api-idempotency"), *SERVICES, prefix="api-idem") as s:
        yield s


def post(url: str, body: dict, key: str | None = None) -> tuple[int, dict, dict[str, str]]:
    """Status, JSON body and headers (names in lower case); a long timeout, as the first
    trade waits on a lock."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read()), lower(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), lower(error.headers)


def lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def sql(stack: Stack, query: str) -> str:
    return stack(*PSQL, "-tAq", "-c", query).stdout.strip()


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.2)


class RowLock:
    """A psql session holding a portfolio's row lock (as a running trade would) until
    released: a trade on that portfolio waits inside its transaction, key claimed."""

    def __init__(self, stack: Stack, portfolio_id: int) -> None:
        self.stack = stack
        self.process = subprocess.Popen(
            [*stack.base, *PSQL, "-q"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=stack.environment,
        )
        self.send(f"BEGIN; SELECT id FROM portfolios WHERE id = {portfolio_id} FOR UPDATE;")
        wait_until(
            lambda: self.sessions("state = 'idle in transaction'") == 1, "psql holds the row"
        )

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def sessions(self, condition: str) -> int:
        where = f"query LIKE '%FOR UPDATE%' AND {condition}"
        return int(sql(self.stack, f"SELECT count(*) FROM pg_stat_activity WHERE {where}"))

    def wait_for_a_blocked_trade(self) -> None:
        wait_until(
            lambda: self.sessions("state = 'active' AND wait_event_type = 'Lock'") == 1,
            "the trade waits for the portfolio's row",
        )

    def release(self) -> None:
        self.send("COMMIT;")
        stdout, stderr = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, stderr


def test_redis_stopped_between_the_trade_and_the_reply_never_doubles_the_trade(stack):
    # The exact moment of the issue can be arranged from outside, so this test does not
    # fall back to stopping Redis only before the retry: psql holds the portfolio's row,
    # so the keyed trade reads the (empty) cache, claims its key in PostgreSQL, and waits
    # inside its transaction; Redis is stopped then; releasing the row lets the trade
    # commit and reply with Redis gone. The old code (key completed in Redis after the
    # commit) answered 503 here, and its retry, Redis emptied, traded a second time.
    base = stack.url("/api/portfolios")
    status, portfolio = post(base, {"name": "Retried", "cash": "1000"})[:2]
    assert status == 201, portfolio
    trades = f"{base}/{portfolio['id']}/trades"
    key = f"container-{uuid.uuid4()}"

    lock = RowLock(stack, portfolio["id"])
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(post, trades, ORDER, key)
        lock.wait_for_a_blocked_trade()
        stack("stop", "cache")
        lock.release()
        status, first, headers = in_flight.result(timeout=120)
    assert status == 201, first
    assert "idempotent-replayed" not in headers
    assert (first["quantity"], first["cash_after"]) == (3, "938.50")

    # Redis is gone: the retry is answered from PostgreSQL, with the first trade.
    status, again, headers = post(trades, ORDER, key)
    assert (status, again) == (201, first)
    assert headers["idempotent-replayed"] == "true"

    # Redis is back, empty (it keeps nothing on disk): still the first trade.
    stack("up", "-d", "--wait", "--wait-timeout", "60", "cache")
    status, again, headers = post(trades, ORDER, key)
    assert (status, again, headers["idempotent-replayed"]) == (201, first, "true")

    listed = urllib.request.urlopen(trades, timeout=10)
    assert [trade["id"] for trade in json.loads(listed.read())] == [first["id"]]
    assert sql(stack, f"SELECT count(*) FROM trades WHERE portfolio_id = {portfolio['id']}") == "1"
    recorded = sql(
        stack, f"SELECT status_code FROM idempotency_keys WHERE idempotency_key = '{key}'"
    )
    assert recorded == "201"
    logs = stack("logs", "--no-color", "backend-prod")
    assert "reply cache: write skipped (PostgreSQL has the key)" in logs.stdout + logs.stderr
