-- A portfolio holds play money. Money is NUMERIC, never floating point.
CREATE TABLE portfolios (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    cash        numeric(20, 4) NOT NULL CHECK (cash >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
