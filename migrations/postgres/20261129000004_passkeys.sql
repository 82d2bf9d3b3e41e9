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
    backup_eligible  BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    last_used_at       BIGINT,
    -- Set when the signature counter went backwards (a possible clone): refused since.
    flagged_at       BIGINT
);
CREATE INDEX passkeys_customer ON passkeys (customer_id);

-- "Remember this device": only the SHA-256 of the cookie's secret is stored.
CREATE TABLE remembered_devices (
    id            TEXT PRIMARY KEY NOT NULL,
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    device        TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX remembered_devices_customer ON remembered_devices (customer_id);

ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'unlock', 'change_email', 'undo_email_change', 'sign_in_code'));
