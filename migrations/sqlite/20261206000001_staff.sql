-- Staff sign in at /admin with a password and an authenticator app they set up
-- themselves from a one-time enrolment link (docs/design/staff.md). The password is
-- NULL until enrolment; SQLite cannot drop NOT NULL in place, so the table is rebuilt
-- (nothing references it yet).
CREATE TABLE staff_new (
    id                TEXT PRIMARY KEY NOT NULL,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    name              TEXT,
    role              TEXT NOT NULL CHECK (role IN ('support', 'admin')),
    password_hash     TEXT,
    created_at        INTEGER NOT NULL,
    enrolled_at       INTEGER
);
INSERT INTO staff_new (id, email, email_normalized, role, password_hash, created_at)
    SELECT id, email, email_normalized, role, password_hash, created_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;

-- One-time enrolment links: SHA-256 of a 256-bit token, 24 h, spent once.
CREATE TABLE staff_enrolments (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX staff_enrolments_staff ON staff_enrolments (staff_id);

-- A staff member's authenticator app: the secret sealed with the master key.
CREATE TABLE staff_totp (
    staff_id        TEXT PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    secret_sealed   TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    last_used_step  INTEGER NOT NULL DEFAULT 0
);

-- Staff sessions (cookie __Host-foyer-admin), keyed by SHA-256 of the session id.
CREATE TABLE staff_sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    data          TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,
    staff_id      TEXT REFERENCES staff (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
