from papertrade.idempotency import fingerprint

ORDER = {"symbol": "ACME", "side": "buy", "quantity": 1, "price": "10.00"}


def test_the_same_request_has_the_same_fingerprint_whatever_the_key_order():
    reordered = dict(reversed(list(ORDER.items())))
    assert fingerprint("POST", "/api/portfolios/1/trades", ORDER) == fingerprint(
        "POST", "/api/portfolios/1/trades", reordered
    )


def test_another_body_or_path_has_another_fingerprint():
    original = fingerprint("POST", "/api/portfolios/1/trades", ORDER)
    assert original != fingerprint("POST", "/api/portfolios/1/trades", {**ORDER, "quantity": 2})
    assert original != fingerprint("POST", "/api/portfolios/2/trades", ORDER)
