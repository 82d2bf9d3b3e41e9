-- Passkeys (WebAuthn), remembered devices, and the email sign-in code purpose.

-- One row per passkey. `passkey` is webauthn-rs's serialised credential (public key,
-- counter, flags): no secret. The credential id is unique across all accounts.
CREATE TABLE passkeys (
    id               TEXT PRIMARY KEY NOT NULL,
    customer_id      TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    credential_id    TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    passkey          TEXT NOT NULL,
    aaguid           TEXT,
    backup_eligible  INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    last_used_at     INTEGER,
    -- Set when the signature counter went backwards (a possible clone): refused since.
    flagged_at       INTEGER
);
CREATE INDEX passkeys_customer ON passkeys (customer_id);

-- "Remember this device": only the SHA-256 of the cookie's secret is stored.
CREATE TABLE remembered_devices (
    id            TEXT PRIMARY KEY NOT NULL,
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    device        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX remembered_devices_customer ON remembered_devices (customer_id);

-- SQLite cannot alter a CHECK constraint: rebuild account_tokens with the new purpose.
CREATE TABLE account_tokens_new (
    id             TEXT PRIMARY KEY NOT NULL,
    customer_id    TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'unlock', 'change_email', 'undo_email_change', 'sign_in_code')),
    token_hash     TEXT NOT NULL UNIQUE,
    code_hash      TEXT,
    bound_version  INTEGER NOT NULL,
    new_email      TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO account_tokens_new SELECT id, customer_id, purpose, token_hash, code_hash, bound_version, new_email, created_at, expires_at, used_at, attempts FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_new RENAME TO account_tokens;
CREATE INDEX account_tokens_customer ON account_tokens (customer_id, purpose);
