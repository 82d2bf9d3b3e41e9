-- Customer accounts: profile, credentials state, one-time tokens, throttling, sessions.

ALTER TABLE customers ADD COLUMN display_name TEXT;
ALTER TABLE customers ADD COLUMN preferred_language TEXT;
ALTER TABLE customers ADD COLUMN phone TEXT;
ALTER TABLE customers ADD COLUMN birth_date TEXT;
ALTER TABLE customers ADD COLUMN address_street TEXT;
ALTER TABLE customers ADD COLUMN address_locality TEXT;
ALTER TABLE customers ADD COLUMN address_region TEXT;
ALTER TABLE customers ADD COLUMN address_postal_code TEXT;
ALTER TABLE customers ADD COLUMN address_country TEXT;
-- Bumped at every password change: reset links issued before it are dead.
ALTER TABLE customers ADD COLUMN password_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN locked_at INTEGER;
ALTER TABLE customers ADD COLUMN terms_accepted_at INTEGER;

-- One-time tokens; only SHA-256 hashes of the link token and the code are stored.
CREATE TABLE account_tokens (
    id             TEXT PRIMARY KEY NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'unlock', 'change_email', 'undo_email_change')),
    token_hash     TEXT NOT NULL UNIQUE,
    code_hash      TEXT,
    bound_version  INTEGER NOT NULL,
    new_email      TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_tokens_customer ON account_tokens (customer_id, purpose);

-- Failure counters shared by every node: keys 'acct:<id>' and 'ip:<address>'.
CREATE TABLE throttle (
    key            TEXT PRIMARY KEY NOT NULL,
    failures       INTEGER NOT NULL,
    window_start   INTEGER NOT NULL,
    blocked_until  INTEGER
);

-- tower-sessions records, keyed by SHA-256 of the session id (the cookie is never stored).
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    data          TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,
    customer_id   TEXT REFERENCES customers (id) ON DELETE CASCADE,
    device        TEXT,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX sessions_customer ON sessions (customer_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE known_devices (
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    device_hash    TEXT NOT NULL,
    first_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, device_hash)
);
