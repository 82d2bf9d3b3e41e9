-- Booleans are 0/1 integers: the portable form both engines decode the same way.
-- Foyer platform schema (SQLite). Times are Unix milliseconds (INTEGER); ids are UUID text.

CREATE TABLE brands (
    id          TEXT PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE customers (
    id                TEXT PRIMARY KEY NOT NULL,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    given_name        TEXT,
    family_name       TEXT,
    password_hash     TEXT,
    email_verified    INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE staff (
    id                TEXT PRIMARY KEY NOT NULL,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL UNIQUE,
    role              TEXT NOT NULL CHECK (role IN ('support', 'admin')),
    password_hash     TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    subject     TEXT,
    action      TEXT NOT NULL,
    reason      TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    locked_until     INTEGER,
    delivered_at     INTEGER,
    failed_at        INTEGER,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE dev_mailbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at  INTEGER NOT NULL,
    to_addr      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    html_body    TEXT NOT NULL
);
