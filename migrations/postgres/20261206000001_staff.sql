-- Staff sign in at /admin with a password and an authenticator app they set up
-- themselves from a one-time enrolment link (docs/design/staff.md). The password is
-- NULL until enrolment.
ALTER TABLE staff ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE staff ADD COLUMN name TEXT;
ALTER TABLE staff ADD COLUMN enrolled_at BIGINT;

-- One-time enrolment links: SHA-256 of a 256-bit token, 24 h, spent once.
CREATE TABLE staff_enrolments (
    token_hash  TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX staff_enrolments_staff ON staff_enrolments (staff_id);

-- A staff member's authenticator app: the secret sealed with the master key.
CREATE TABLE staff_totp (
    staff_id        TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret_sealed   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    confirmed_at    BIGINT,
    last_used_step  BIGINT NOT NULL DEFAULT 0
);

-- Staff sessions (cookie __Host-foyer-admin), keyed by SHA-256 of the session id.
CREATE TABLE staff_sessions (
    id_hash       TEXT PRIMARY KEY,
    data          TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    staff_id      TEXT REFERENCES staff (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
