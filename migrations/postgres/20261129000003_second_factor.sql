-- Second factors: TOTP (secret sealed with the master key) and recovery codes (hashed).

CREATE TABLE totp_credentials (
    customer_id     TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    secret_sealed   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    confirmed_at    BIGINT,
    -- The highest RFC 6238 time step accepted: a step is never accepted twice.
    last_used_step  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    code_hash    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX recovery_codes_customer ON recovery_codes (customer_id);
