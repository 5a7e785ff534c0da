-- Every executed trade, and the shares each portfolio holds as a result.
CREATE TABLE trades (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    symbol        text NOT NULL,
    side          text NOT NULL CHECK (side IN ('buy', 'sell')),
    quantity      bigint NOT NULL CHECK (quantity > 0),
    price         numeric(20, 4) NOT NULL CHECK (price > 0),
    amount        numeric(20, 4) NOT NULL,
    cash_after    numeric(20, 4) NOT NULL,
    executed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trades_portfolio_id_idx ON trades (portfolio_id, id);

CREATE TABLE positions (
    portfolio_id   bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    symbol         text NOT NULL,
    quantity       bigint NOT NULL CHECK (quantity > 0),
    average_price  numeric(20, 4) NOT NULL CHECK (average_price > 0),
    PRIMARY KEY (portfolio_id, symbol)
);
