-- Idempotency keys, written in the same transaction as the trade (or portfolio) they
-- answer for: the key and the work commit together or not at all, so a retry finds either
-- the first response or no key (the first attempt rolled back). The primary key is what
-- makes a retried or concurrent request replay the first response instead of running
-- again. status_code and body are set before the transaction commits; no other
-- transaction ever sees them empty. json, not jsonb: a replay keeps the body's key order.
CREATE TABLE idempotency_keys (
    idempotency_key  text PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    fingerprint      text NOT NULL,
    status_code      smallint,
    body             json,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    CHECK ((status_code IS NULL) = (body IS NULL))
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
