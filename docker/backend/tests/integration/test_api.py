import asyncio

import pytest

pytestmark = [pytest.mark.services, pytest.mark.anyio]


async def new_portfolio(client, cash="10000", name="Main"):
    response = await client.post("/api/portfolios", json={"name": name, "cash": cash})
    assert response.status_code == 201, response.text
    return response.json()


async def trade(client, portfolio, side, quantity, price, symbol="ACME", **headers):
    return await client.post(
        f"/api/portfolios/{portfolio['id']}/trades",
        json={"symbol": symbol, "side": side, "quantity": quantity, "price": price},
        headers=headers,
    )


async def test_a_created_portfolio_is_listed_with_its_cash(client):
    created = await new_portfolio(client, cash="2500.5", name="Listed")
    assert created["cash"] == "2500.50"
    listed = (await client.get("/api/portfolios")).json()
    assert created in listed
    assert (await client.get(f"/api/portfolios/{created['id']}")).json() == created


async def test_buy_then_sell_moves_cash_and_shares(client):
    portfolio = await new_portfolio(client, cash="10000")
    bought = await trade(client, portfolio, "buy", 10, "150.25", symbol="acme")
    assert bought.status_code == 201, bought.text
    assert bought.json() | {"id": 0, "executed_at": ""} == {
        "id": 0,
        "portfolio_id": portfolio["id"],
        "symbol": "ACME",
        "side": "buy",
        "quantity": 10,
        "price": "150.25",
        "amount": "1502.50",
        "executed_at": "",
        "cash_after": "8497.50",
    }
    sold = await trade(client, portfolio, "sell", 4, "160")
    assert sold.json()["cash_after"] == "9137.50"

    positions = (await client.get(f"/api/portfolios/{portfolio['id']}/positions")).json()
    assert positions == [
        {"symbol": "ACME", "quantity": 6, "average_price": "150.25", "cost": "901.50"}
    ]
    trades = (await client.get(f"/api/portfolios/{portfolio['id']}/trades")).json()
    assert [(t["side"], t["quantity"]) for t in trades] == [("buy", 10), ("sell", 4)]
    assert (await client.get(f"/api/portfolios/{portfolio['id']}")).json()["cash"] == "9137.50"


async def test_a_buy_beyond_the_cash_is_refused_and_changes_nothing(client):
    portfolio = await new_portfolio(client, cash="100")
    refused = await trade(client, portfolio, "buy", 1, "100.01")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Not enough cash: buying 1 ACME at 100.01 costs 100.01, the portfolio has "
        "100.00.",
        "code": "insufficient_cash",
    }
    assert (await client.get(f"/api/portfolios/{portfolio['id']}")).json()["cash"] == "100.00"
    assert (await client.get(f"/api/portfolios/{portfolio['id']}/trades")).json() == []


async def test_selling_shares_not_held_is_refused(client):
    portfolio = await new_portfolio(client)
    refused = await trade(client, portfolio, "sell", 1, "10")
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_shares"
    assert (await client.get(f"/api/portfolios/{portfolio['id']}/positions")).json() == []


async def test_selling_everything_removes_the_position(client):
    portfolio = await new_portfolio(client)
    await trade(client, portfolio, "buy", 3, "10")
    await trade(client, portfolio, "sell", 3, "11")
    assert (await client.get(f"/api/portfolios/{portfolio['id']}/positions")).json() == []
    assert (await client.get(f"/api/portfolios/{portfolio['id']}")).json()["cash"] == "10003.00"


async def test_concurrent_sells_never_sell_more_than_is_held(client):
    portfolio = await new_portfolio(client)
    await trade(client, portfolio, "buy", 10, "1")
    results = await asyncio.gather(*(trade(client, portfolio, "sell", 3, "1") for _ in range(5)))
    assert sorted(r.status_code for r in results) == [201, 201, 201, 409, 409]
    positions = (await client.get(f"/api/portfolios/{portfolio['id']}/positions")).json()
    assert positions[0]["quantity"] == 1


async def test_an_unknown_portfolio_is_404_everywhere(client):
    missing = {"id": 2**62}
    for path in ("", "/positions", "/trades"):
        response = await client.get(f"/api/portfolios/{missing['id']}{path}")
        assert response.status_code == 404
        assert response.json() == {
            "detail": f"Portfolio {missing['id']} does not exist.",
            "code": "portfolio_not_found",
        }
    assert (await trade(client, missing, "buy", 1, "1")).status_code == 404


async def test_invalid_input_is_one_line_naming_each_field(client):
    portfolio = await new_portfolio(client)
    response = await trade(client, portfolio, "buy", 0, "1.00001")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "body.quantity: Input should be greater than 0; "
        "body.price: Decimal input should have no more than 4 decimal places",
        "code": "invalid_request",
    }


async def test_a_name_with_a_nul_byte_is_422_naming_it(client):
    response = await client.post("/api/portfolios", json={"name": "Main\x00", "cash": "1"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "body.name: must not contain control characters; found U+0000 at position 4",
        "code": "invalid_request",
    }


async def test_an_over_long_name_is_422(client):
    response = await client.post("/api/portfolios", json={"name": "n" * 101, "cash": "1"})
    assert response.status_code == 422
    assert response.json()["detail"] == "body.name: String should have at most 100 characters"


async def test_cash_beyond_its_bound_is_422_naming_the_bound(client):
    response = await client.post("/api/portfolios", json={"name": "Rich", "cash": "1e16"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "body.cash: Input should be less than or equal to 1000000000000000"
    )


async def test_the_overflowing_sale_of_the_issue_is_422_naming_the_bound(client):
    # Selling 1e9 shares at 999999999999.9999 once overflowed numeric(20,4) with a 500.
    portfolio = await new_portfolio(client, cash="100000")
    assert (await trade(client, portfolio, "buy", 1_000_000_000, "0.0001")).status_code == 201
    response = await trade(client, portfolio, "sell", 1_000_000_000, "999999999999.9999")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "body.price: Input should be less than or equal to 1000000",
        "code": "invalid_request",
    }
    response = await trade(client, portfolio, "sell", 1_000_000_001, "1")
    assert response.json()["detail"] == (
        "body.quantity: Input should be less than or equal to 1000000000"
    )


async def test_a_sale_past_the_cash_limit_is_refused_and_changes_nothing(client):
    portfolio = await new_portfolio(client, cash="1000000000000000")
    bought = await trade(client, portfolio, "buy", 1_000_000_000, "0.0001")
    assert bought.json()["cash_after"] == "999999999900000.00"
    refused = await trade(client, portfolio, "sell", 1_000_000_000, "1000000")
    assert refused.status_code == 409
    assert refused.json()["code"] == "cash_limit_exceeded"
    assert "a portfolio holds at most 1000000000000000.00" in refused.json()["detail"]
    after = (await client.get(f"/api/portfolios/{portfolio['id']}")).json()
    assert after["cash"] == "999999999900000.00"


async def test_a_database_data_error_is_422_not_500(settings):
    # Every bound above keeps PostgreSQL from ever seeing such a value; this proves the last
    # line behind them with a real DataError (numeric field overflow) from the server.
    import httpx

    from papertrade.app import create_app

    app = create_app(settings)

    @app.get("/overflow")
    async def overflow() -> None:
        async with app.state.pool.connection() as conn:
            await conn.execute("SELECT 1e16::numeric(20, 4)")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://papertrade") as client:
            response = await client.get("/overflow")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "A value in the request cannot be stored: numeric field overflow.",
        "code": "invalid_request",
    }
